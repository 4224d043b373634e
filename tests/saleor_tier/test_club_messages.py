"""Club news through Saleor's real flow: a paid order earns points and the member is told, if they agreed."""

from datetime import UTC, datetime

from django.core import mail
from freezegun import freeze_time

from saleor_loyalty.models import MessageLog, MessageStatus, MessagingSettings

from .flows import club, place_paid_order

TUESDAY_MORNING = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)
CONSENT_SET = """
mutation { loyaltyConsentSet(channel: "main", medium: EMAIL, granted: true, source: ACCOUNT_PAGE,
                             wording: "Send me club news and offers") { errors { code } } }"""


def club_channel(channel):
    return MessagingSettings.objects.create(
        channel_slug=channel.slug,
        club_messages_enabled=True,
        country="IL",
        sender_name="Dana's shop",
        sender_email="shop@example.com",
        contact_address="1 Herzl St, Tel Aviv",
    )


def test_points_earned_email_goes_to_a_member_who_opted_in(
    user_api_client, customer_user, product, shipping_method, channel_USD
):
    # given a member who opted in on their account page
    club_channel(channel_USD)
    with freeze_time(TUESDAY_MORNING):
        status, body = club(CONSENT_SET, user=customer_user)
        assert status == 200
        assert body["data"]["loyaltyConsentSet"]["errors"] == []

        # when they pay an order through Saleor
        place_paid_order(
            user_api_client, product.variants.first(), shipping_method, quantity=3, email=customer_user.email
        )

    # then the club tells them, labelled as advertising, with one-click unsubscribe
    news = [m for m in mail.outbox if "club points" in m.subject]
    assert len(news) == 1
    assert news[0].to == [customer_user.email]
    assert news[0].subject.startswith("פרסומת")
    assert "30" in news[0].subject
    assert news[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_points_earned_without_consent_is_logged_as_blocked(
    user_api_client, customer_user, product, shipping_method, channel_USD
):
    club_channel(channel_USD)
    with freeze_time(TUESDAY_MORNING):
        place_paid_order(
            user_api_client, product.variants.first(), shipping_method, quantity=1, email=customer_user.email
        )

    assert not [m for m in mail.outbox if "club points" in m.subject]
    log = MessageLog.objects.get(category="points_earned")
    assert (log.status, log.reason) == (MessageStatus.BLOCKED, "no recorded opt-in")
