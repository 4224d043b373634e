"""Win-back through Saleor's real flow: a lapsed member gets the email and their next real order is attributed."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import graphene
from django.core import mail
from freezegun import freeze_time

from saleor_loyalty.insights import flow_settings, segments, winback
from saleor_loyalty.models import (
    FlowKind,
    FlowRun,
    FlowRunState,
    LoyaltyProgram,
    MessagingSettings,
    NamedSegment,
    OrderLineFact,
    SegmentMembership,
)
from saleor_loyalty.saleor_adapter.abandoned_checkouts import SaleorShop

from .flows import club, place_paid_order

TUESDAY_MORNING = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)
CONSENT_SET = """
mutation { loyaltyConsentSet(channel: "main", medium: EMAIL, granted: true, source: ACCOUNT_PAGE,
                             wording: "Send me club news and offers") { errors { code } } }"""
STEPS = [
    {
        "after_days": 0,
        "content": [
            {"language": "he", "subject": "התגעגענו", "body": "מזמן לא ראינו אותך."},
            {"language": "en", "subject": "We miss you", "body": "It has been a while."},
        ],
    }
]


def test_a_lapsed_member_gets_the_winback_email_and_their_next_order_is_attributed(
    user_api_client, customer_user, product, shipping_method, channel_USD
):
    # given a member who opted in and ordered once, 200 days ago (lapsed against the 60-day default)
    MessagingSettings.objects.create(
        channel_slug=channel_USD.slug,
        country="IL",
        sender_name="Dana's shop",
        sender_email="shop@example.com",
        contact_address="1 Herzl St, Tel Aviv",
    )
    variant = product.variants.first()
    with freeze_time(TUESDAY_MORNING - timedelta(days=200)):
        user_api_client.user = customer_user
        assert club(CONSENT_SET, user=customer_user)[1]["data"]["loyaltyConsentSet"]["errors"] == []
        place_paid_order(user_api_client, variant, shipping_method, quantity=1, email=customer_user.email)
    program = LoyaltyProgram.objects.get(channel_slug=channel_USD.slug)
    flow_settings.update_flow(program, FlowKind.WINBACK_LAPSED, steps=STEPS, enabled=True, holdout_percent=0)

    # when the nightly job runs and the flow's beat sends
    with freeze_time(TUESDAY_MORNING):
        segments.compute_segments(now=TUESDAY_MORNING)
        assert set(SegmentMembership.objects.values_list("segment", flat=True)) == {
            NamedSegment.ONE_TIME,
            NamedSegment.LAPSED,
        }
        assert winback.process_due(SaleorShop(), TUESDAY_MORNING) == 1

    # then they get the win-back email, labelled and with one-click unsubscribe
    (email,) = [m for m in mail.outbox if "התגעגענו" in m.subject]
    assert email.to == [customer_user.email]
    assert email.subject == "פרסומת: התגעגענו"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # and their next real order (checkout → complete → paid) is attributed to the run, which stops
    with freeze_time(TUESDAY_MORNING + timedelta(days=2)):
        user_api_client.user = customer_user  # a fresh token at this moment
        order = place_paid_order(
            user_api_client, variant, shipping_method, quantity=2, email=customer_user.email
        )
    run = FlowRun.objects.get()
    _, order_pk = graphene.Node.from_global_id(order["id"])
    assert str(run.converted_order_id) == order_pk
    assert run.converted_revenue == Decimal(str(order["total"]["gross"]["amount"]))
    assert run.state in (FlowRunState.STOPPED, FlowRunState.FINISHED)  # one step: finished at its send
    # what they bought is recorded for saved segments, through the adapter
    assert OrderLineFact.objects.filter(order_id=order_pk, product_id=product.pk).exists()
    # the order took them out of lapsed at once
    assert NamedSegment.LAPSED not in set(SegmentMembership.objects.values_list("segment", flat=True))
