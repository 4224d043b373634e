"""Win-back flows: started by entering at risk, stopped by any order, holdout, consent, quiet hours, incentives."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction

from saleor_loyalty.insights import flow_settings, flow_stats, order_events, segments, winback
from saleor_loyalty.messages import consent
from saleor_loyalty.models import (
    ConsentAction,
    ConsentSource,
    EntryKind,
    FlowKind,
    FlowRun,
    FlowRunState,
    LedgerEntry,
    LoyaltyAccount,
    Medium,
    MessageLog,
    MessageStatus,
)

from .conftest import T0

STEPS = [
    {
        "after_days": 0,
        "content": [
            {"language": "he", "subject": "התגעגענו אליך", "body": "מזמן לא ראינו אותך בחנות."},
            {"language": "en", "subject": "We miss you", "body": "It has been a while."},
        ],
    },
    {
        "after_days": 3,
        "incentive": True,
        "content": [{"language": "he", "subject": "מתנה בשבילך", "body": "חזרו אלינו."}],
    },
]


class VoucherShop:
    def __init__(self):
        self.vouchers = []

    def create_single_use_voucher(self, channel_slug, percent, starts_at, expires_at, name):
        self.vouchers.append((channel_slug, percent, name))
        return f"BACK-{len(self.vouchers)}"


@pytest.fixture
def flow(club, messaging):
    return flow_settings.update_flow(
        club, FlowKind.WINBACK_AT_RISK, steps=STEPS, enabled=True, holdout_percent=0, attribution_days=7
    )


@pytest.fixture
def at_risk(club, flow, members, buy, opted_in):
    """A member whose only order was 100 days ago, with consent: tonight they enter at risk."""
    (user,) = members(1)
    opted_in(user.email)
    buy(user, T0 - timedelta(days=100))
    segments.compute_segments(now=T0)
    return LoyaltyAccount.objects.get(user=user)


def _run(account) -> FlowRun:
    return FlowRun.objects.get(account=account)


def test_entering_at_risk_starts_the_flow_once_and_sends_its_first_step(at_risk):
    run = _run(at_risk)
    assert (run.state, run.trigger_key.startswith("at_risk:")) == (FlowRunState.ACTIVE, True)
    assert winback.process_due(None, T0) == 1
    assert winback.process_due(None, T0) == 0  # claimed once
    (message,) = mail.outbox
    assert message.subject == "פרסומת: התגעגענו אליך"
    assert "מזמן לא ראינו אותך" in message.body
    assert "List-Unsubscribe" in message.extra_headers
    segments.compute_segments(now=T0 + timedelta(days=1))  # still at risk: no second run
    assert FlowRun.objects.count() == 1


def test_an_order_stops_the_flow_and_is_attributed_to_it(at_risk, buy, flow):
    winback.process_due(None, T0)
    order = buy(at_risk.user, T0 + timedelta(days=1), amount="240.00")
    order_events.on_order(order, T0 + timedelta(days=1))
    run = _run(at_risk)
    assert (run.state, run.state_reason) == (FlowRunState.STOPPED, "ordered")
    assert (run.converted_order_id, run.converted_revenue) == (order.order_id, order.total_gross)
    order_events.on_order(order, T0 + timedelta(days=2))  # the event again: nothing changes
    assert winback.process_due(VoucherShop(), T0 + timedelta(days=3)) == 0
    assert len(mail.outbox) == 1
    stats = flow_stats.stats(flow, T0 - timedelta(days=1), T0 + timedelta(days=30))
    assert (stats.started, stats.messages_sent, stats.converted, stats.revenue) == (
        1,
        1,
        1,
        order.total_gross,
    )


def test_an_order_between_claim_and_send_cancels_the_message(at_risk, buy):
    with transaction.atomic():
        claim = winback._claim(_run(at_risk).pk, T0)
    buy(at_risk.user, T0 + timedelta(minutes=1))
    log = winback._send(claim, None, T0 + timedelta(minutes=2))
    assert (log.status, mail.outbox) == (MessageStatus.CANCELLED, [])


def test_consent_withdrawn_mid_flow_stops_it(at_risk):
    winback.process_due(None, T0)
    consent.record("il", Medium.EMAIL, at_risk.email, ConsentAction.WITHDRAW, ConsentSource.ACCOUNT_PAGE)
    assert winback.process_due(VoucherShop(), T0 + timedelta(days=3)) == 0
    assert len(mail.outbox) == 1
    run = _run(at_risk)
    assert (run.state, run.state_reason) == (FlowRunState.STOPPED, "no consent")


def test_shabbat_defers_the_step_to_its_end(at_risk):
    saturday = T0 + timedelta(days=4)  # Saturday 10:00 in Israel
    assert winback.process_due(None, saturday) == 0
    run = _run(at_risk)
    assert run.next_action_at > saturday
    assert MessageLog.objects.filter(status=MessageStatus.DEFERRED).exists()
    assert winback.process_due(None, run.next_action_at) == 1


def test_the_last_step_gives_a_single_use_voucher_once(at_risk, club):
    flow_settings.update_flow(club, FlowKind.WINBACK_AT_RISK, incentive="voucher", voucher_percent=15)
    shop = VoucherShop()
    winback.process_due(shop, T0)
    winback.process_due(shop, T0 + timedelta(days=3))
    assert len(shop.vouchers) == 1
    assert "BACK-1" in mail.outbox[-1].body
    assert "15%" in mail.outbox[-1].body


def test_bonus_points_are_one_ledger_row(at_risk, club):
    flow_settings.update_flow(club, FlowKind.WINBACK_AT_RISK, incentive="points", incentive_points=200)
    before = LoyaltyAccount.objects.get(pk=at_risk.pk).balance
    winback.process_due(None, T0)
    winback.process_due(None, T0 + timedelta(days=3))
    (bonus,) = LedgerEntry.objects.filter(kind=EntryKind.FLOW_BONUS)
    assert bonus.points == 200
    assert LoyaltyAccount.objects.get(pk=at_risk.pk).balance == before + 200
    assert "200" in mail.outbox[-1].body


def test_an_unconfirmed_claim_is_retried_on_the_same_row_after_its_lease(at_risk):
    with transaction.atomic():
        winback._claim(_run(at_risk).pk, T0)  # the worker dies before sending
    assert mail.outbox == []
    assert winback.process_due(None, T0 + timedelta(minutes=11)) == 1
    assert MessageLog.objects.filter(claim_key__startswith="flow:").count() == 1
    assert winback.process_due(None, T0 + timedelta(minutes=30)) == 0


def test_holdout_is_reproducible_and_gets_no_message(club, messaging, members, buy, opted_in):
    flow = flow_settings.update_flow(
        club, FlowKind.WINBACK_AT_RISK, steps=STEPS, enabled=True, holdout_percent=50
    )
    users = members(30)
    for user in users:
        opted_in(user.email)
        buy(user, T0 - timedelta(days=100))
    segments.compute_segments(now=T0)
    held = set(FlowRun.objects.filter(state=FlowRunState.HOLDOUT).values_list("account_id", flat=True))
    assert 0 < len(held) < 30
    assert held == {
        account_id
        for account_id in FlowRun.objects.values_list("account_id", flat=True)
        if winback.in_holdout(club.pk, FlowKind.WINBACK_AT_RISK, account_id, 50)
    }
    winback.process_due(None, T0)
    assert len(mail.outbox) == 30 - len(held)
    assert {m.to[0] for m in mail.outbox}.isdisjoint(
        set(LoyaltyAccount.objects.filter(pk__in=held).values_list("email", flat=True))
    )
    buyer = LoyaltyAccount.objects.get(pk=min(held)).user
    order = buy(buyer, T0 + timedelta(days=2))
    order_events.on_order(order, T0 + timedelta(days=2))
    stats = flow_stats.stats(flow, T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert (stats.holdout, stats.holdout_converted, stats.converted) == (len(held), 1, 0)
