"""A campaign to a saved segment through Saleor's real flow: the segment is "bought this product", read from
real orders; exactly its consenting members get the campaign, split over two variants; the opens, the click
and the real order that follows are counted for the variant each member got."""

from datetime import timedelta

import graphene
import pytest
from django.core import mail
from freezegun import freeze_time
from saleor.graphql.tests.fixtures import ApiClient

from saleor_loyalty.models import CampaignConversion, CampaignRecipient, LoyaltyAccount

from .campaign_steps import RESULTS, TUESDAY_MORNING, create_and_send, opt_in, shop_may_market, tracked_links
from .flows import club, place_paid_order

SEGMENT = """mutation($input: LoyaltySavedSegmentInput!) {
  loyaltySavedSegmentCreate(channel: "main", input: $input) { savedSegment { id } errors { field code message } }
}"""


def join(program, user, *, opted_in: bool) -> None:
    LoyaltyAccount.objects.create(program=program, user=user, email=user.email)
    if opted_in:
        opt_in(user.email, TUESDAY_MORNING - timedelta(days=3))


def content(subject: str) -> list[dict]:
    return [
        {"language": "EN", "subject": subject, "body": "Again, {first_name}? https://shop.example.com/again"}
    ]


def test_a_segment_campaign_reaches_its_consenting_members_and_counts_per_variant(
    user_api_client, client, customer_user, customer_user2, marketing_staff, main_club, shop
):
    from saleor.account.models import User

    # given three buyers of the product (two consenting, one not) and a consenting member who never bought it
    shop_may_market(customer_user)
    silent = User.objects.create(email="silent@example.com")
    outsider = User.objects.create(email="outsider@example.com")
    join(main_club, customer_user, opted_in=True)
    join(main_club, customer_user2, opted_in=True)
    join(main_club, silent, opted_in=False)
    join(main_club, outsider, opted_in=True)
    variant, shipping = shop
    with freeze_time(TUESDAY_MORNING - timedelta(days=2)):
        for api, buyer in (
            (user_api_client, customer_user),
            (ApiClient(user=customer_user2), customer_user2),
        ):
            place_paid_order(api, variant, shipping, quantity=1, email=buyer.email)
        place_paid_order(ApiClient(user=silent), variant, shipping, quantity=1, email=silent.email)

    # when staff save "bought the product" as a segment and send it a two-variant campaign
    with freeze_time(TUESDAY_MORNING):
        product = graphene.Node.to_global_id("Product", variant.product_id)
        _, saved = club(
            SEGMENT,
            {"input": {"name": "Bought it", "filters": {"boughtProducts": [product]}}},
            user=marketing_staff,
        )
        assert saved["data"]["loyaltySavedSegmentCreate"]["errors"] == []
        segment_id = saved["data"]["loyaltySavedSegmentCreate"]["savedSegment"]["id"]
        campaign_id = create_and_send(
            {
                "name": "Buy it again",
                "audienceKind": "SEGMENT",
                "audienceTierIds": [],
                "audienceSavedSegmentId": segment_id,
                "defaultLanguage": "EN",
                "variants": [
                    {"key": "A", "contents": content("Back in stock")},
                    {"key": "B", "contents": content("Yours again, {first_name}")},
                ],
            },
            marketing_staff,
        )

    # then exactly the two consenting buyers got it, each the subject of the variant drawn for them
    drawn = {
        row.account.email: row.variant.key
        for row in CampaignRecipient.objects.select_related("account", "variant").filter(
            variant__isnull=False
        )
    }
    assert set(drawn) == {customer_user.email, customer_user2.email, silent.email}
    sent = {m.to[0]: m for m in mail.outbox if "Again," in m.body}
    assert set(sent) == {customer_user.email, customer_user2.email}
    subjects = {"A": "פרסומת: Back in stock", "B": "פרסומת: Yours again, Dana"}
    assert sent[customer_user.email].subject == subjects[drawn[customer_user.email]]

    # when both open it, and Dana clicks its link and buys again through Saleor's checkout
    with freeze_time(TUESDAY_MORNING + timedelta(hours=1)):
        for message in sent.values():
            assert client.get(tracked_links(message)[0]).status_code == 200
        response = client.get(tracked_links(sent[customer_user.email])[1])
        assert (response.status_code, response["Location"]) == (302, "https://shop.example.com/again")
    with freeze_time(TUESDAY_MORNING + timedelta(hours=2)):
        dana = ApiClient(user=customer_user)  # a token of this moment (the first one expired two days ago)
        order = place_paid_order(dana, variant, shipping, quantity=2, email=customer_user.email)

    # then each variant counts what its members did: the order only for Dana's
    conversion = CampaignConversion.objects.get()
    assert str(conversion.order_id) == graphene.Node.from_global_id(order["id"])[1]
    assert float(conversion.amount) == pytest.approx(order["total"]["gross"]["amount"])
    _, results = club(RESULTS, {"id": campaign_id}, user=marketing_staff)
    found = {row["key"]: row for row in results["data"]["campaign"]["results"]["variants"]}
    for key in ("A", "B"):
        got = [email for email in sent if drawn[email] == key]
        dana = drawn[customer_user.email] == key
        assert found[key] == {
            "key": key,
            "sent": len(got),
            "opened": len(got),
            "clicked": int(dana),
            "converted": int(dana),
            "revenue": {"amount": float(conversion.amount) if dana else 0.0, "currency": "USD"},
        }
