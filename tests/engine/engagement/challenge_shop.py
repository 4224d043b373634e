"""Helpers of the challenge tests: paid orders at given local times, refunds, and action rows."""

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from saleor_loyalty import ledger
from saleor_loyalty.engagement import actions, catalogue, challenge_rewards
from saleor_loyalty.models import ClubAction, LoyaltyAccount

JERUSALEM = ZoneInfo("Asia/Jerusalem")


def local(*args) -> datetime:
    """An instant given as Jerusalem wall-clock time (DST as Israel keeps it)."""
    return datetime(*args, tzinfo=JERUSALEM)


def pay(make_order, user, at: datetime, amount="100.00", categories=(), now=None):
    """A paid order of one line synced to the ledger, then the challenge hook, as `sync_order_task` does."""
    facts = dataclasses.replace(make_order(lines=(("Item", amount),), shipping="0", user=user), paid_at=at)
    ledger.sync_order(facts)
    completions = challenge_rewards.on_order(facts, categories, now=now or at)
    return facts, completions


def refund(facts, amount=None, now=None):
    """The order refunded (fully unless told), synced and told to the challenge hook."""
    refunded = dataclasses.replace(facts, refunded_amount=Decimal(amount) if amount else facts.total_gross)
    ledger.sync_order(refunded)
    return challenge_rewards.on_order(refunded, now=now or refunded.paid_at)


def record_action(account: LoyaltyAccount, action: str, object_id: str, at: datetime, key=""):
    """An action recorded through the actions catalogue's own writer (`actions.record`), its kind switched
    on first, as a trusted caller of `loyaltyActionRecord` would at `at`."""
    catalogue.ensure_builtin_actions(account.program)
    ClubAction.objects.filter(program=account.program, key=action).update(is_enabled=True)
    return actions.record(
        account.program,
        action,
        account,
        object_id,
        key or f"{action}-{object_id}-{int(at.timestamp())}",
        ledger.SYSTEM,
        at,
    )


def day(text: str) -> date:
    return date.fromisoformat(text)
