"""A campaign to a tier through Saleor's real flow: exactly the consenting members of the tier get it, and
the open, the click and the real order that follows (checkout → complete) are counted for its variant."""

from datetime import timedelta

import graphene
import pytest
from django.core import mail
from freezegun import freeze_time

from saleor_loyalty.models import CampaignConversion, LoyaltyAccount

from .campaign_steps import RESULTS, TUESDAY_MORNING, create_and_send, opt_in, shop_may_market, tracked_links
from .flows import club, place_paid_order


def member(program, user, tier_name, *, opted_in):
    LoyaltyAccount.objects.create(
        program=program, user=user, email=user.email, tier=program.tiers.get(name=tier_name)
    )
    if opted_in:
        opt_in(user.email, TUESDAY_MORNING - timedelta(days=1))


def test_a_tier_campaign_reaches_its_consenting_members_and_counts_the_real_order(
    user_api_client, client, customer_user, marketing_staff, main_club, shop
):
    from saleor.account.models import User

    # given a consenting Gold member, a Gold member without consent and a consenting Regular member
    shop_may_market(customer_user)
    member(main_club, customer_user, "Gold", opted_in=True)
    member(main_club, User.objects.create(email="silent@example.com"), "Gold", opted_in=False)
    member(main_club, User.objects.create(email="regular@example.com"), "Regular", opted_in=True)
    gold = graphene.Node.to_global_id("LoyaltyTier", main_club.tiers.get(name="Gold").pk)

    # when staff create a Gold campaign through the club API and the beat sends it
    with freeze_time(TUESDAY_MORNING):
        campaign_id = create_and_send(
            {
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
            },
            marketing_staff,
        )

    # then exactly the consenting Gold member got it
    sent = [m for m in mail.outbox if "Gold week" in m.subject]
    assert [m.to for m in sent] == [[customer_user.email]]
    assert sent[0].subject == "פרסומת: Gold week, Dana"

    # when they open it, click its link and buy through Saleor's checkout
    pixel, click = tracked_links(sent[0])
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
