"""The club's GraphQL API, served by the plugin beside Saleor's (one schema, types by noun).

Invariant: every resolver authorizes before it reads (`errors.resolver`), every mutation writes in one
transaction or not at all (`mutations.base.ClubMutation`), ids are global and money is `LoyaltyMoney`.
"""
