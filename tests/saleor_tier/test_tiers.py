"""Tiers inside Saleor's real flow: a paid checkout upgrades at once, a refund never downgrades on the spot."""

from decimal import Decimal

import pytest

from saleor_loyalty import tasks
from saleor_loyalty.models import LoyaltyAccount, TierCause, TierEvaluationRun, TierEvent

from .flows import club, place_paid_order, saleor_call

ME_TIER = """
query($channel: String!) {
  me(channel: $channel) {
    tier { name benefits { earnMultiplier freeShipping } }
    nextTier { name }
    progress { basis current target remaining }
    tierHistory { cause fromTier toTier orderId }
  }
}"""
ORDER_REFUND = """
mutation($id: ID!, $amount: PositiveDecimal!) {
  orderRefund(id: $id, amount: $amount) { order { id } errors { field message code } }
}"""


@pytest.fixture
def main_club(main_club):
    """Gold reachable in a small basket: entry $50, retain $40."""
    main_club.tiers.filter(name="Gold").update(entry_threshold=Decimal(50), retain_threshold=Decimal(40))
    return main_club


def test_paid_checkout_crossing_gold_entry_upgrades_at_once(user_api_client, customer_user, shop, main_club):
    # given a Regular customer with a $30 order
    variant, shipping = shop
    place_paid_order(user_api_client, variant, shipping, quantity=3, email=customer_user.email)
    _, before = club(ME_TIER, {"channel": "main"}, user=customer_user)
    assert before["data"]["me"]["tier"]["name"] == "Regular"
    assert before["data"]["me"]["progress"] == {
        "basis": "SPEND",
        "current": 30.0,
        "target": 50.0,
        "remaining": 20.0,
    }

    # when a second $30 checkout is paid through Saleor ($60 ≥ Gold's $50)
    order = place_paid_order(user_api_client, variant, shipping, quantity=3, email=customer_user.email)

    # then the customer's own `me` shows Gold at once, caused by that order
    status, body = club(ME_TIER, {"channel": "main"}, user=customer_user)
    assert status == 200, body
    assert "errors" not in body, body
    me = body["data"]["me"]
    assert me["tier"] == {"name": "Gold", "benefits": {"earnMultiplier": 1.5, "freeShipping": True}}
    assert me["nextTier"] == {"name": "Platinum"}
    assert me["tierHistory"] == [
        {"cause": "ORDER_UPGRADE", "fromTier": "Regular", "toTier": "Gold", "orderId": order["id"]}
    ]


def test_refund_through_saleor_does_not_downgrade_before_evaluation(
    user_api_client, staff_api_client, permission_group_manage_orders, customer_user, shop, main_club
):
    # given a customer made Gold by a $60 paid order
    permission_group_manage_orders.user_set.add(staff_api_client.user)
    variant, shipping = shop
    order = place_paid_order(user_api_client, variant, shipping, quantity=6, email=customer_user.email)
    total = Decimal(str(order["total"]["gross"]["amount"]))
    assert LoyaltyAccount.objects.get(user=customer_user).tier.name == "Gold"

    # when most of it is refunded through Saleor's orderRefund (spend drops below Gold's retain $40)
    saleor_call(
        staff_api_client,
        ORDER_REFUND,
        {"id": order["id"], "amount": str(total * Decimal("0.8"))},
        "orderRefund",
    )

    # then the points were reversed but the customer is still Gold, with progress showing the drop
    _, body = club(ME_TIER, {"channel": "main"}, user=customer_user)
    me = body["data"]["me"]
    assert me["tier"]["name"] == "Gold"
    assert me["progress"]["current"] < 40
    assert [event["cause"] for event in me["tierHistory"]] == ["ORDER_UPGRADE"]

    # when the nightly evaluation task runs (Celery, eager in tests), then only the grace period starts
    tasks.evaluate_tiers_task.delay()
    assert LoyaltyAccount.objects.get(user=customer_user).tier.name == "Gold"
    assert TierEvent.objects.filter(cause=TierCause.GRACE_STARTED).count() == 1
    assert TierEvaluationRun.objects.get(program=main_club).evaluated == 1


def test_every_club_job_is_on_saleors_beat_schedule():
    from saleor.celeryconf import app

    schedule = app.conf.beat_schedule

    assert {name: schedule[name]["task"] for name in schedule if name.startswith("loyalty-")} == {
        "loyalty-expire-lots": tasks.expire_lots_task.name,
        "loyalty-expiry-reminders": tasks.queue_expiry_reminders_task.name,
        "loyalty-order-sweep": tasks.sweep_changed_orders_task.name,
        "loyalty-tier-evaluation": tasks.evaluate_tiers_task.name,
        "loyalty-birthday-gifts": tasks.birthday_gifts_task.name,
        "loyalty-credit-due-cashback": tasks.credit_due_cashback_task.name,
        "loyalty-recovery-sweep": tasks.recovery_sweep_task.name,
        "loyalty-club-news": tasks.club_news_task.name,
        "loyalty-reconciliation": tasks.reconcile_accounts_task.name,
        "loyalty-membership": tasks.membership_task.name,
        "loyalty-challenges": tasks.evaluate_challenges_task.name,
        "loyalty-campaigns": tasks.campaigns_task.name,
        "loyalty-nps-surveys": tasks.nps_surveys_task.name,
        "loyalty-kpi-rollups": tasks.kpi_rollups_task.name,
        "loyalty-referral-rewards": tasks.reward_due_referrals_task.name,
        "loyalty-bulk-grants": tasks.bulk_grants_task.name,
        "loyalty-anniversary-gifts": tasks.anniversary_gifts_task.name,
        "loyalty-segments": tasks.compute_segments_task.name,
        "loyalty-flows": tasks.flows_task.name,
    }
