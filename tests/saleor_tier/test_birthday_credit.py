"""Birthday credit inside Saleor: the job puts it on the member's real gift card, spendable at checkout."""

from decimal import Decimal

import graphene
from django.utils import timezone

from saleor_loyalty import tasks
from saleor_loyalty.core.clock import local_date
from saleor_loyalty.core.facts import ChannelFacts
from saleor_loyalty.ledger import programs
from saleor_loyalty.models import CreditEntry, CreditKind

from .flows import ADD_PROMO_CODE, club, saleor_call
from .test_rewards import members_card, open_checkout

TIER_UPDATE = """
mutation($id: ID!, $input: LoyaltyTierInput!) {
  loyaltyTierUpdate(channel: "main", id: $id, input: $input) {
    errors { field message code } tier { benefits { birthdayCredit { amount currency } } }
  }
}"""
BIRTHDAY_SET = """
mutation($month: Int!, $day: Int!) {
  loyaltyBirthdaySet(channel: "main", month: $month, day: $day) { errors { field code } }
}"""
ME_CREDIT = """{ me(channel: "main") { storeCredit { amount currency } } }"""


def test_birthday_job_puts_the_tiers_credit_on_the_members_saleor_card(
    user_api_client, settings_staff, customer_user, shop, channel_USD
):
    # given staff give Regular members $5 of store credit on their birthday, through the club endpoint
    program = programs.ensure_program(ChannelFacts(channel_USD.slug, channel_USD.currency_code))
    regular = graphene.Node.to_global_id("LoyaltyTier", program.tiers.get(name="Regular").pk)
    _, updated = club(
        TIER_UPDATE,
        {"id": regular, "input": {"birthdayCredit": {"amount": "5", "currency": "USD"}}},
        user=settings_staff,
    )
    assert updated["data"]["loyaltyTierUpdate"]["errors"] == [], updated
    assert updated["data"]["loyaltyTierUpdate"]["tier"]["benefits"]["birthdayCredit"] == {
        "amount": 5.0,
        "currency": "USD",
    }

    # and a customer whose birthday is today in the program's timezone
    today = local_date(timezone.now(), program.timezone)
    _, birthday = club(BIRTHDAY_SET, {"month": today.month, "day": today.day}, user=customer_user)
    assert birthday["data"]["loyaltyBirthdaySet"]["errors"] == []

    # when Saleor's worker runs the birthday job (Celery, eager in tests), twice
    tasks.birthday_gifts_task.delay()
    tasks.birthday_gifts_task.delay()

    # then $5 is on a Saleor gift card assigned to her, once, and `me` shows it
    card = members_card(customer_user)
    assert (card.current_balance_amount, card.currency, card.assigned_to_id) == (
        Decimal("5.000"),
        "USD",
        customer_user.pk,
    )
    assert CreditEntry.objects.filter(kind=CreditKind.BIRTHDAY_GIFT).count() == 1
    _, me = club(ME_CREDIT, user=customer_user)
    assert me["data"]["me"]["storeCredit"] == {"amount": 5.0, "currency": "USD"}

    # when she applies the card's code to her checkout through Saleor's checkoutAddPromoCode,
    # then Saleor accepts it and the checkout owes $5 less
    checkout_id, total = open_checkout(user_api_client, *shop, email=customer_user.email)
    added = saleor_call(
        user_api_client, ADD_PROMO_CODE, {"id": checkout_id, "code": card.code}, "checkoutAddPromoCode"
    )
    assert Decimal(str(added["checkout"]["totalPrice"]["gross"]["amount"])) == total - 5
