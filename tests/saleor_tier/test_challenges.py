"""Challenges, badges and tiers by order count through Saleor's real checkout, payment and order events."""

from decimal import Decimal

from saleor_loyalty.models import (
    BadgeAward,
    EntryKind,
    LedgerEntry,
    LoyaltyAccount,
    OrderCategories,
    TierBasis,
)

from .flows import club, place_paid_order

BADGE_CREATE = """mutation($input: LoyaltyBadgeInput!) { loyaltyBadgeCreate(channel: "main", input: $input) {
  errors { field code } badge { id } } }"""
CHALLENGE_CREATE = """mutation($input: LoyaltyChallengeInput!) {
  loyaltyChallengeCreate(channel: "main", input: $input) { errors { field code } challenge { id } } }"""
ME = """query { me(channel: "main") {
  challenges { challenge { name } current target completed }
  badges { badge { name(languageCode: HE) } earnedAt }
  tier { name } progress { basis current target remaining } } }"""


def define(staff, badge_name, challenge):
    _, badge = club(BADGE_CREATE, {"input": {"name": badge_name, "nameHe": f"{badge_name} (he)"}}, user=staff)
    badge_id = badge["data"]["loyaltyBadgeCreate"]["badge"]["id"]
    _, created = club(CHALLENGE_CREATE, {"input": {**challenge, "badgeId": badge_id}}, user=staff)
    assert created["data"]["loyaltyChallengeCreate"]["errors"] == [], created
    return created["data"]["loyaltyChallengeCreate"]["challenge"]["id"]


def test_real_orders_complete_a_challenge_and_earn_a_badge(
    user_api_client, customer_user, settings_staff, shop, main_club
):
    # given staff defined "2 orders" (50 points + a badge) and "first order in a new category" (a badge)
    variant, shipping = shop
    define(
        settings_staff,
        "Regular",
        {"name": "Two orders", "metric": "PAID_ORDERS", "target": 2, "rewardPoints": 50},
    )
    define(settings_staff, "Explorer", {"name": "Something new", "metric": "NEW_CATEGORY", "target": 1})

    # when the customer pays one checkout through Saleor
    place_paid_order(user_api_client, variant, shipping, quantity=1, email=customer_user.email)

    # then the category challenge is done (its category recorded from Saleor's order lines), the other half-way
    assert OrderCategories.objects.get().category_ids == [variant.product.category_id]
    _, body = club(ME, user=customer_user)
    progress = {
        c["challenge"]["name"]: (c["current"], c["completed"]) for c in body["data"]["me"]["challenges"]
    }
    assert progress == {"Two orders": (1.0, False), "Something new": (1.0, True)}
    assert [b["badge"]["name"] for b in body["data"]["me"]["badges"]] == ["Explorer (he)"]

    # when a second checkout is paid, then "Two orders" completes: its points once, its badge once
    place_paid_order(user_api_client, variant, shipping, quantity=1, email=customer_user.email)
    _, body = club(ME, user=customer_user)
    assert all(c["completed"] for c in body["data"]["me"]["challenges"])
    account = LoyaltyAccount.objects.get(user=customer_user)
    reward = LedgerEntry.objects.get(kind=EntryKind.CHALLENGE)
    assert (reward.account_id, reward.points) == (account.pk, 50)
    assert BadgeAward.objects.filter(account=account).count() == 2

    # and a third order (same category, challenge done) gives nothing more
    place_paid_order(user_api_client, variant, shipping, quantity=1, email=customer_user.email)
    assert LedgerEntry.objects.filter(kind=EntryKind.CHALLENGE).count() == 1
    assert BadgeAward.objects.count() == 2


def test_a_tier_by_order_count_reached_through_real_orders(user_api_client, customer_user, shop, main_club):
    # given a ladder by paid orders: Gold after 2
    main_club.tier_basis = TierBasis.ORDERS
    main_club.save()
    main_club.tiers.filter(name="Gold").update(entry_threshold=Decimal(2), retain_threshold=Decimal(1))
    main_club.tiers.filter(name="Platinum").update(entry_threshold=Decimal(10), retain_threshold=Decimal(8))
    variant, shipping = shop

    # when one order is paid, the storefront says "1 more order to Gold"
    place_paid_order(user_api_client, variant, shipping, quantity=1, email=customer_user.email)
    _, body = club(ME, user=customer_user)
    me = body["data"]["me"]
    assert me["tier"]["name"] == "Regular"
    assert me["progress"] == {"basis": "ORDERS", "current": 1.0, "target": 2.0, "remaining": 1.0}

    # when a second is paid, the member is Gold at once
    place_paid_order(user_api_client, variant, shipping, quantity=1, email=customer_user.email)
    _, body = club(ME, user=customer_user)
    assert body["data"]["me"]["tier"]["name"] == "Gold"
    assert body["data"]["me"]["progress"]["remaining"] == 8.0
