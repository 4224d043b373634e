import uuid
from datetime import timedelta
from decimal import Decimal

from django.test import RequestFactory

from saleor_loyalty.core.facts import OrderRef
from saleor_loyalty.insights import campaign_results, campaign_sending, campaigns, rollups, stats, tracking
from saleor_loyalty.models import CampaignRecipient, RecipientStatus, WinnerMetric

from .conftest import T0, content


def test_wilson_interval_matches_the_hand_computation():
    # 10 of 100: centre (0.1 + 1.92/100) / 1.0384 ≈ 0.1148, margin ≈ 0.0596
    rate = stats.wilson(10, 100)
    assert rate.value == 0.1
    assert round(rate.low, 4) == 0.0552
    assert round(rate.high, 4) == 0.1744
    assert stats.wilson(0, 0) == stats.Rate(None, None, None)
    assert stats.wilson(0, 20).low == 0.0


def test_a_winner_only_when_the_difference_is_significant():
    assert stats.winner({"A": (30, 1000), "B": (36, 1000)})[0] is None  # 3.0 % vs 3.6 %: noise
    best, p = stats.winner({"A": (30, 1000), "B": (60, 1000)})
    assert best == "B"
    assert p < 0.01
    assert stats.winner({"A": (5, 10)}) == (None, None)


def test_results_per_variant_and_against_the_holdout(channel, member, make_campaign):
    # given 40 members split A/B with a 25 % holdout, all sent
    for i in range(40):
        member(f"m{i}@example.co.il")
    variants = [campaigns.VariantSpec("A", content()), campaigns.VariantSpec("B", content("ב"))]
    campaign = make_campaign(variants=variants, holdout_percent=25, winner_metric=WinnerMetric.CLICK)
    campaign_sending.run(T0)
    rows = list(CampaignRecipient.objects.select_related("account", "variant", "message"))
    treated = [r for r in rows if r.status == RecipientStatus.CLAIMED]
    held = [r for r in rows if r.status == RecipientStatus.HOLDOUT]

    # when every treated member of A opens and clicks, and one holdout and one treated member order
    for r in treated:
        if r.variant.key == "A":
            url = tracking.click_url(r.message_id, campaign.pk, r.variant_id, "he", 0)
            tracking.handle(RequestFactory().get("/"), url.split("saleor.loyalty", 1)[1], now=T0)
    for r in (held[0], treated[0]):
        tracking.attribute_order(
            OrderRef(
                uuid.uuid4(),
                "il",
                "",
                r.account.user_id,
                r.account.email,
                Decimal("100"),
                T0 + timedelta(days=1),
            ),
            T0,
        )

    # then the numbers add up per group
    result = campaign_results.results(campaign)
    by_key = {g.key: g for g in result.variants}
    a_sent = sum(1 for r in treated if r.variant.key == "A")
    assert by_key["A"].sent == a_sent
    assert by_key["A"].clicked == a_sent
    assert by_key["B"].clicked == 0
    assert by_key["A"].sent + by_key["B"].sent == len(treated)
    assert result.holdout.recipients == len(held)
    assert result.holdout.ordered == 1
    assert result.treated_ordered_rate.value == 1 / len(treated)
    assert result.lift == 1 / len(treated) - 1 / len(held)
    assert result.currency == "ILS"
    assert result.winner == "A"  # every A click vs none in B is significant even at this size


def test_a_refund_of_a_converted_order_comes_off_its_variants_revenue(channel, member, make_campaign):
    # given a member who clicked variant A and then ordered for 100 ₪
    account = member("a@example.co.il")
    campaign = make_campaign(variants=[campaigns.VariantSpec("A", content())])
    campaign_sending.run(T0)
    recipient = CampaignRecipient.objects.get(account=account)
    url = tracking.click_url(recipient.message_id, campaign.pk, recipient.variant_id, "he", 0)
    tracking.handle(RequestFactory().get("/"), url.split("saleor.loyalty", 1)[1], now=T0)
    order_id, ordered_at = uuid.uuid4(), T0 + timedelta(hours=1)
    tracking.attribute_order(
        OrderRef(order_id, "il", "", account.user_id, account.email, Decimal("100"), ordered_at), T0
    )

    def refunded(amount: str) -> Decimal:
        rollups.record_order(
            rollups.OrderRollupFacts(
                order_id,
                "il",
                "ILS",
                account.user_id,
                account.email,
                ordered_at,
                Decimal("100"),
                refunded_amount=Decimal(amount),
                is_paid=True,
            )
        )
        return campaign_results.results(campaign).variants[0].revenue

    # then A's revenue is what the order kept: all of it, less a partial refund, nothing once refunded in full
    assert refunded("0") == Decimal("100")
    assert refunded("30") == Decimal("70")
    assert refunded("100") == Decimal("0")
    assert campaign_results.results(campaign).variants[0].converted == 1  # it did convert; it earned nothing
