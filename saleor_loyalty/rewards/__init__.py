"""Money rewards on the member's own Saleor gift card: store credit, cashback, redemption, checkout preview.

Invariant: every card movement is an append-only CreditEntry written in the same transaction as the card's balance.
"""
