"""Tier benefits reaching the checkout: which code a checkout should carry, and who order creation refuses."""

import dataclasses
import threading
from decimal import Decimal

import graphene
import pytest
from django.contrib.auth import get_user_model

from saleor_loyalty.benefits import checkout as benefits
from saleor_loyalty.benefits.checkout import Apply, CheckoutBenefitFacts, Keep, Remove
from saleor_loyalty.core.facts import Actor, Requestor
from saleor_loyalty.exceptions import ClubBenefitRefused, ClubCodeRefused, ClubShippingRefused
from saleor_loyalty.graphql.context import ClubContext
from saleor_loyalty.graphql.schema import schema
from saleor_loyalty.ledger.accounts import account_for
from saleor_loyalty.models import LoyaltyProgram, MemberVoucherCode, TierVoucher
from saleor_loyalty.tiers.ladder import ensure_default_tiers
from saleor_loyalty.tiers.settings import set_floor, update_tier
from tests.concurrency import run_concurrently

STAFF = Actor(user_id=1, label="staff@example.com")


class FakeVouchers:
    """Saleor's vouchers as a dict: what the adapter would create, list and price."""

    def __init__(self):
        self.lock = threading.Lock()
        self.percent = {}
        self.names = {}
        self.codes = {}
        self.syncs = 0

    def create_tier_voucher(self, channel_slug, name, percent):
        with self.lock:
            voucher_id = len(self.percent) + 1
            self.percent[voucher_id], self.names[voucher_id] = percent, name
            return voucher_id

    def sync_voucher(self, voucher_id, channel_slug, name, percent):
        self.syncs += 1
        self.percent[voucher_id], self.names[voucher_id] = percent, name

    def add_code(self, voucher_id, code):
        with self.lock:
            assert code not in self.codes
            self.codes[code] = voucher_id


@pytest.fixture
def vouchers():
    return FakeVouchers()


def member(program, username, tier_name=None):
    user = get_user_model().objects.create(username=username, email=f"{username}@example.co.il")
    account = account_for(program, user.pk, user.email)
    if tier_name:
        set_floor(account, program.tiers.get(name=tier_name), "VIP", STAFF)
    return user


def decide(checkout_facts, vouchers):
    return benefits.plan_checkout(checkout_facts, vouchers).voucher


def pick_shipping(checkout_facts, available):
    return benefits.plan_checkout(checkout_facts, FakeVouchers()).method_to_pick(available)


def facts(user=None, code=None, is_club=False, percent=None, shipping=None, channel="il"):
    return CheckoutBenefitFacts(
        channel_slug=channel,
        user_id=user.pk if user else None,
        voucher_code=code,
        voucher_is_club=is_club,
        voucher_percent=percent,
        shipping_method_id=shipping,
    )


def test_gold_member_gets_own_code_on_gold_voucher(club, vouchers):
    gold = member(club, "gold", "Gold")

    decision = decide(facts(gold), vouchers)

    assert isinstance(decision, Apply)
    voucher_id = TierVoucher.objects.get(tier__name="Gold").saleor_voucher_id
    assert vouchers.codes == {decision.code: voucher_id}
    assert vouchers.percent[voucher_id] == Decimal(5)
    assert decide(facts(gold, decision.code, True, Decimal(5)), vouchers) == Keep()
    assert vouchers.syncs == 0  # a checkout already carrying the code writes nothing to Saleor


def test_regular_member_and_guest_get_nothing_and_lose_a_leaked_code(club, vouchers):
    gold, regular = member(club, "gold", "Gold"), member(club, "regular")
    leaked = decide(facts(gold), vouchers).code

    assert decide(facts(regular), vouchers) == Keep()
    assert decide(facts(regular, leaked, True, Decimal(5)), vouchers) == Remove()
    assert decide(facts(None, leaked, True, Decimal(5)), vouchers) == Remove()


def test_a_customer_without_an_account_yet_gets_nothing(club, vouchers):
    newcomer = get_user_model().objects.create(username="new", email="new@example.co.il")
    assert decide(facts(newcomer), vouchers) == Keep()
    assert decide(facts(newcomer, "CLUB-LEAKED", True, Decimal(5)), vouchers) == Remove()
    benefits.set_club_shipping_methods(club, [41])
    assert pick_shipping(dataclasses.replace(facts(newcomer), ships=True), lambda: [41]) is None


def test_another_members_code_is_swapped_for_ones_own(club, vouchers):
    gold, platinum = member(club, "gold", "Gold"), member(club, "plat", "Platinum")
    leaked = decide(facts(gold), vouchers).code

    decision = decide(facts(platinum, leaked, True, Decimal(5)), vouchers)

    assert isinstance(decision, Apply)
    assert decision.code != leaked
    assert MemberVoucherCode.objects.get(code=decision.code).tier.name == "Platinum"


def test_a_voucher_the_customer_chose_is_kept(club, vouchers):
    gold = member(club, "gold", "Gold")
    assert decide(facts(gold, "SUMMER10", is_club=False), vouchers) == Keep()
    assert not MemberVoucherCode.objects.exists()


def test_new_tier_means_new_code_and_percent_follows_the_tier(club, vouchers):
    gold = member(club, "gold", "Gold")
    gold_code = decide(facts(gold), vouchers).code
    gold_tier = club.tiers.get(name="Gold")
    update_tier(club, gold_tier.pk, discount_percent=Decimal(7))

    assert decide(facts(gold, gold_code, True, Decimal(5)), vouchers) == Apply(gold_code)  # re-priced
    assert decide(facts(gold, gold_code, True, Decimal(7)), vouchers) == Keep()
    voucher_id = TierVoucher.objects.get(tier=gold_tier).saleor_voucher_id
    assert (vouchers.percent[voucher_id], vouchers.names[voucher_id]) == (
        Decimal(7),
        "Loyalty club · Gold 7%",
    )

    set_floor(gold.loyalty_accounts.get(), club.tiers.get(name="Platinum"), "Promotion", STAFF)
    platinum_code = decide(facts(gold, gold_code, True, Decimal(7)), vouchers).code
    assert platinum_code != gold_code
    assert len(set(vouchers.codes.values())) == 2


def test_a_tier_without_discount_removes_the_club_code(club, vouchers):
    gold = member(club, "gold", "Gold")
    code = decide(facts(gold), vouchers).code
    update_tier(club, club.tiers.get(name="Gold").pk, discount_percent=Decimal(0))

    assert decide(facts(gold, code, True, Decimal(5)), vouchers) == Remove()


def test_no_program_in_channel_means_no_club_code(club, vouchers):
    gold = member(club, "gold", "Gold")
    assert decide(facts(gold, channel="other"), vouchers) == Keep()
    assert decide(facts(gold, "CLUB-X", True, Decimal(5), channel="other"), vouchers) == Remove()


@pytest.mark.django_db(transaction=True)
def test_concurrent_checkouts_of_one_member_share_one_code():
    program = LoyaltyProgram.objects.create(channel_slug="il", currency="ILS", timezone="Asia/Jerusalem")
    ensure_default_tiers(program)
    gold = member(program, "gold", "Gold")
    vouchers, decided = FakeVouchers(), []

    run_concurrently(lambda _: decided.append(decide(facts(gold), vouchers).code), 6)

    assert len(set(decided)) == 1
    assert list(vouchers.codes) == decided[:1]
    assert TierVoucher.objects.count() == 1
    assert len(vouchers.percent) == 1


class TestOrderCreationGuard:
    def test_owner_passes_and_everyone_else_is_refused(self, club, vouchers):
        gold, regular = member(club, "gold", "Gold"), member(club, "regular")
        code = decide(facts(gold), vouchers).code

        benefits.check_order_creation(facts(gold, code, True, Decimal(5)))
        for stranger in (regular, None):
            with pytest.raises(ClubCodeRefused) as refused:
                benefits.check_order_creation(facts(stranger, code, True, Decimal(5)))
            assert refused.value.field == "promo_code"

    def test_a_discount_above_the_members_tier_now_is_refused(self, club, vouchers):
        gold = member(club, "gold", "Gold")
        code = decide(facts(gold), vouchers).code
        update_tier(club, club.tiers.get(name="Gold").pk, discount_percent=Decimal(3))

        with pytest.raises(ClubBenefitRefused, match="changed"):
            benefits.check_order_creation(facts(gold, code, True, Decimal(5)))
        benefits.check_order_creation(facts(gold, code, True, Decimal(3)))

    def test_a_club_marked_code_the_club_does_not_know_is_refused(self, club, vouchers):
        gold = member(club, "gold", "Gold")
        with pytest.raises(ClubBenefitRefused):
            benefits.check_order_creation(facts(gold, "CLUB-FORGOTTEN", True, Decimal(5)))
        benefits.check_order_creation(facts(gold, "SUMMER10", False, Decimal(10)))

    def test_reserved_shipping_needs_a_free_shipping_tier(self, club):
        gold, regular = member(club, "gold", "Gold"), member(club, "regular")
        benefits.set_club_shipping_methods(club, [41, 41, 7])
        assert benefits.club_shipping_method_ids(club) == [7, 41]

        benefits.check_order_creation(facts(gold, shipping=41))
        benefits.check_order_creation(facts(regular, shipping=99))
        for stranger in (regular, None):
            with pytest.raises(ClubShippingRefused, match="Gold, Platinum") as refused:
                benefits.check_order_creation(facts(stranger, shipping=41))
            assert refused.value.field == "shipping_method"

        benefits.set_club_shipping_methods(club, [])
        benefits.check_order_creation(facts(regular, shipping=41))


SET_SHIPPING = """mutation($ids: [ID!]!) { loyaltyClubShippingMethodsSet(channel: "il", shippingMethodIds: $ids) {
  shippingMethodIds errors { field code } } }"""


def set_shipping(ids, permissions=frozenset({"MANAGE_SETTINGS"}), known=(5, 6)):
    context = ClubContext(
        requestor=Requestor(user_id=1, permissions=permissions),
        shipping_method_exists=lambda pk, channel: channel == "il" and pk in known,
    )
    result = schema.execute(SET_SHIPPING, variable_values={"ids": ids}, context_value=context)
    return result.data["loyaltyClubShippingMethodsSet"]


def method_gid(pk, type_name="ShippingMethod"):
    return graphene.Node.to_global_id(type_name, pk)


class TestReservingShippingMethods:
    def test_staff_reserve_known_methods(self, club):
        assert set_shipping([method_gid(6), method_gid(5)]) == {
            "shippingMethodIds": [method_gid(5), method_gid(6)],
            "errors": [],
        }
        assert benefits.club_shipping_method_ids(club) == [5, 6]

    @pytest.mark.parametrize("bad", [method_gid(99), method_gid(5, "Product"), "garbage"])
    def test_unknown_or_malformed_ids_write_nothing(self, club, bad):
        benefits.set_club_shipping_methods(club, [6])
        answer = set_shipping([method_gid(5), bad])
        assert answer["errors"] == [{"field": "shippingMethodIds", "code": "INVALID"}]
        assert benefits.club_shipping_method_ids(club) == [6]

    def test_customers_cannot_reserve(self, club):
        answer = set_shipping([method_gid(5)], permissions=frozenset())
        assert answer["errors"][0]["code"] == "PERMISSION_DENIED"
        assert benefits.club_shipping_method_ids(club) == []


class TestPickingReservedShipping:
    def ship(self, user, **changes):
        return dataclasses.replace(facts(user), **{"ships": True, **changes})

    def test_free_shipping_member_gets_the_reserved_method_when_none_is_chosen(self, club):
        gold = member(club, "gold", "Gold")
        benefits.set_club_shipping_methods(club, [41])
        assert pick_shipping(self.ship(gold), lambda: [12, 41]) == 41

    def test_nothing_is_picked_otherwise(self, club):
        gold, regular = member(club, "gold", "Gold"), member(club, "regular")
        asked = []

        def available():
            asked.append(1)
            return [41]

        assert pick_shipping(self.ship(gold), available) is None  # nothing reserved yet
        benefits.set_club_shipping_methods(club, [41])
        assert pick_shipping(self.ship(regular), available) is None
        assert pick_shipping(self.ship(None), available) is None
        assert pick_shipping(self.ship(gold, delivery_chosen=True, shipping_method_id=12), available) is None
        assert pick_shipping(self.ship(gold, ships=False), available) is None
        assert asked == []  # Saleor's shipping list is only fetched when the member qualifies
        assert pick_shipping(self.ship(gold), lambda: [12]) is None  # not offered to this address
