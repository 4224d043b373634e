"""A campaign to a tier through Saleor's real flow: exactly the consenting members of the tier get it, and
the open, the click and the real order that follows (checkout → complete) are counted for its variant."""

import re
from datetime import UTC, datetime, timedelta

import graphene
import pytest
from django.core import mail
from freezegun import freeze_time

from saleor_loyalty import tasks
from saleor_loyalty.messages import consent
from saleor_loyalty.models import (
    CampaignConversion,
    ConsentAction,
    ConsentSource,
    LoyaltyAccount,
    Medium,
    MessagingSettings,
)

from .flows import club, place_paid_order

TUESDAY_MORNING = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)
CREATE = """mutation($input: LoyaltyCampaignInput!) {
  loyaltyCampaignCreate(channel: "main", input: $input) { campaign { id } errors { field code message } }
}"""
SCHEDULE = """mutation($id: ID!) {
  loyaltyCampaignSchedule(channel: "main", id: $id) { campaign { status } errors { code } }
}"""
RESULTS = """query($id: ID!) {
  campaign(channel: "main", id: $id) {
    status
    results { variants { key sent opened clicked converted revenue { amount currency } } holdout { recipients } }
  }
}"""


@pytest.fixture
def marketing_staff(staff_user, permission_manage_users):
    from saleor.account.models import User

    staff_user.user_permissions.add(permission_manage_users)
    return User.objects.get(pk=staff_user.pk)


def member(program, user, tier_name, *, opted_in):
    LoyaltyAccount.objects.create(
        program=program, user=user, email=user.email, tier=program.tiers.get(name=tier_name)
    )
    if opted_in:
        consent.record(
            "main",
            Medium.EMAIL,
            user.email,
            ConsentAction.GRANT,
            ConsentSource.ACCOUNT_PAGE,
            wording="Send me club offers",
            occurred_at=TUESDAY_MORNING - timedelta(days=1),
        )


def test_a_tier_campaign_reaches_its_consenting_members_and_counts_the_real_order(
    user_api_client, client, customer_user, marketing_staff, main_club, shop
):
    from saleor.account.models import User

    # given a consenting Gold member, a Gold member without consent and a consenting Regular member
    MessagingSettings.objects.create(
        channel_slug="main",
        country="IL",
        sender_name="Dana's shop",
        sender_email="shop@example.com",
        contact_address="1 Herzl St, Tel Aviv",
    )
    customer_user.first_name = "Dana"
    customer_user.save(update_fields=["first_name"])
    member(main_club, customer_user, "Gold", opted_in=True)
    member(main_club, User.objects.create(email="silent@example.com"), "Gold", opted_in=False)
    member(main_club, User.objects.create(email="regular@example.com"), "Regular", opted_in=True)
    gold = graphene.Node.to_global_id("LoyaltyTier", main_club.tiers.get(name="Gold").pk)

    # when staff create a Gold campaign through the club API and the beat sends it
    with freeze_time(TUESDAY_MORNING):
        _, created = club(
            CREATE,
            {
                "input": {
                    "name": "Gold week",
                    "audienceKind": "TIERS",
                    "audienceTierIds": [gold],
                    "defaultLanguage": "EN",
                    "variants": [
                        {
                            "key": "A",
                            "contents": [
                                {
                                    "language": "EN",
                                    "subject": "Gold week, {first_name}",
                                    "body": "You are {tier}. Shop: https://shop.example.com/gold",
                                }
                            ],
                        }
                    ],
                }
            },
            user=marketing_staff,
        )
        assert created["data"]["loyaltyCampaignCreate"]["errors"] == []
        campaign_id = created["data"]["loyaltyCampaignCreate"]["campaign"]["id"]
        _, scheduled = club(SCHEDULE, {"id": campaign_id}, user=marketing_staff)
        assert scheduled["data"]["loyaltyCampaignSchedule"]["errors"] == []
        tasks.campaigns_task.delay()

    # then exactly the consenting Gold member got it
    sent = [m for m in mail.outbox if "Gold week" in m.subject]
    assert [m.to for m in sent] == [[customer_user.email]]
    assert sent[0].subject == "פרסומת: Gold week, Dana"

    # when they open it, click its link and buy through Saleor's checkout
    pixel = re.search(r'src="[^"]*(/plugins/[^"]+\.gif)"', sent[0].alternatives[0][0]).group(1)
    click = re.search(r"https?://\S+(/plugins/\S+/t/c/\S+/)", sent[0].body).group(1)
    with freeze_time(TUESDAY_MORNING + timedelta(hours=1)):
        assert client.get(pixel).status_code == 200
        response = client.get(click)
        assert (response.status_code, response["Location"]) == (302, "https://shop.example.com/gold")
        assert client.get(click.replace("/t/c/", "/t/c/1")).status_code == 404
    variant, shipping = shop
    with freeze_time(TUESDAY_MORNING + timedelta(hours=2)):
        order = place_paid_order(user_api_client, variant, shipping, quantity=2, email=customer_user.email)

    # then the open, the click and the order count for variant A
    conversion = CampaignConversion.objects.get()
    assert str(conversion.order_id) == graphene.Node.from_global_id(order["id"])[1]
    _, results = club(RESULTS, {"id": campaign_id}, user=marketing_staff)
    found = results["data"]["campaign"]["results"]
    assert found["variants"] == [
        {
            "key": "A",
            "sent": 1,
            "opened": 1,
            "clicked": 1,
            "converted": 1,
            "revenue": {"amount": float(conversion.amount), "currency": "USD"},
        }
    ]
    assert found["holdout"] == {"recipients": 0}
    assert float(conversion.amount) == pytest.approx(order["total"]["gross"]["amount"])
