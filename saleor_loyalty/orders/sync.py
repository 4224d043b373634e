"""Everything an order's current facts call for, in one place: points, cashback, card money given back.

The hooks' task and the order sweep both call this, so an event lost on its way is caught up
completely, not just its points. Each part converges on the facts, so running it again is free.
"""

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import OrderFacts
from saleor_loyalty.ledger import OrderSyncResult, programs
from saleor_loyalty.rewards import cashback, redemption


def sync_order(facts: OrderFacts, cards, channel_lookup=None) -> OrderSyncResult:
    result = ledger.sync_order(facts, channel_lookup)
    cashback.sync_order_cashback(facts, cards, channel_lookup)
    redemption.sync_order_card_return(facts, programs.get_program(facts.channel_slug, channel_lookup), cards)
    return result
