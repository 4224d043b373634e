"""The engine's entry point for an order event, shared by the plugin's task and the demo."""

from . import ledger, programs
from .facts import OrderFacts
from .ledger import OrderSyncResult


def sync_order_facts(facts: OrderFacts, channel_lookup=None) -> OrderSyncResult:
    """Sync an order into its channel's program; an inactive program records nothing."""
    program = programs.get_program(facts.channel_slug, channel_lookup)
    if not program.is_active:
        return OrderSyncResult()
    return ledger.sync_order(program, facts)
