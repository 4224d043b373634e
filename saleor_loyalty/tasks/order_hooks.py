"""What runs after the ledger has synced an order: referrals, paid membership, challenges, insights, the NPS
survey and the KPI roll-ups, each in its own transaction so one that fails never stops the points."""

import functools
import logging

from django.db import InterfaceError, OperationalError
from django.utils import timezone

from saleor_loyalty.engagement import challenge_rewards, membership, referral_orders
from saleor_loyalty.insights import nps, order_events
from saleor_loyalty.insights import rollups as kpi_rollups
from saleor_loyalty.saleor_adapter import gift_cards, order_lines, order_rollups, runtime
from saleor_loyalty.saleor_adapter.referral_vouchers import saleor_referrals

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)


def _sync_referral(order, _lines) -> None:
    """A referred friend's order moves its referral."""
    facts = saleor_referrals.order(order.order_id)
    if facts is not None:
        referral_orders.sync_referral_order(facts, saleor_referrals, cards=gift_cards.saleor_gift_cards)


def _sync_membership(order, _lines) -> None:
    membership.sync_membership_order(order)


def _evaluate_challenges(order, lines) -> None:
    categories = sorted({line.category_id for line in lines() if line.category_id is not None})
    challenge_rewards.on_order(order, categories)


def _update_insights(order, lines) -> None:
    """The member's segments now, win-back stop and attribution, what they bought."""
    order_events.on_order(order, timezone.now(), lines() if order.is_paid else [])


def roll_up_kpis(order, _lines) -> None:
    """Members' and guests' orders alike, idempotent per order (also one the ledger refused)."""
    if (rollup := order_rollups.rollup_facts(order)) is not None:
        kpi_rollups.record_order(rollup)


def _schedule_nps_survey(order, _lines) -> None:
    nps.schedule_for_order(order, timezone.now())


AFTER_LEDGER = (
    _sync_referral,
    _sync_membership,
    _evaluate_challenges,
    _update_insights,
    _schedule_nps_survey,
)


def run_hooks(hooks, order) -> None:
    """The KPI, engagement and insights hooks of a synced order, each in its own transaction after the
    ledger's: one that fails is logged and never stops the others or the points (their beat jobs catch up
    what it missed); a transient database error retries the whole task, which every step survives.

    Each hook gets `lines()`: the order's lines with their catalog (product, category, collections), read
    from Saleor at most once per event however many hooks ask."""
    lines = functools.cache(lambda: order_lines.line_catalog_facts(order.order_id))
    for hook in hooks:
        try:
            with runtime.writer_connection():
                hook(order, lines)
        except TRANSIENT:
            raise
        except Exception:
            logger.exception("Order hook %s failed on order %s", hook.__name__, order.order_id)
