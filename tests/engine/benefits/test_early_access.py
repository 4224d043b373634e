"""Early access without Saleor: staff mark catalog items, the storefront learns which are locked for whom."""

from datetime import UTC, datetime, timedelta

import graphene
import pytest

from saleor_loyalty import ledger
from saleor_loyalty.benefits import early_access
from saleor_loyalty.core.facts import ChannelFacts, Requestor
from saleor_loyalty.graphql.context import ClubContext
from saleor_loyalty.graphql.schema import schema
from saleor_loyalty.ledger import programs
from saleor_loyalty.models import EarlyAccessItem, EarlyAccessKind, Tier
from saleor_loyalty.tiers import settings as tier_settings
from tests.concurrency import run_concurrently
from tests.engine.ids import tier_gid

PRODUCTS = frozenset({7, 8, 9})
COLLECTIONS = frozenset({3})
MARK = """mutation($channel: String!, $input: LoyaltyEarlyAccessInput!) {
  loyaltyEarlyAccessMark(channel: $channel, input: $input) {
    errors { field message code } items { id kind startsAt endsAt minimumTier { name } openToTiers } } }"""
UNMARK = """mutation($products: [ID!], $collections: [ID!]) {
  loyaltyEarlyAccessUnmark(channel: "il", products: $products, collections: $collections) {
    errors { field code } unmarked } }"""
GATED = """query { earlyAccess(channel: "il") { id kind locked openToTiers startsAt endsAt } }"""
ME = """query { me(channel: "il") { earlyAccess tier { name } } }"""
TIER_UPDATE = """mutation($id: ID!, $input: LoyaltyTierInput!) {
  loyaltyTierUpdate(channel: "il", id: $id, input: $input) { errors { field code } } }"""
TIER_DELETE = """mutation($id: ID!) { loyaltyTierDelete(channel: "il", id: $id) { errors { field code } } }"""


class FakeCatalog:
    """Saleor's catalog as the adapter's `catalog_ids` answers it: the ids among those asked that exist."""

    def __init__(self):
        self.calls = 0

    def __call__(self, kind, ids):
        self.calls += 1
        return set(ids) & (PRODUCTS if kind == EarlyAccessKind.PRODUCT else COLLECTIONS)


def run(query, requestor, catalog=None, **variables):
    return schema.execute(
        query,
        variable_values=variables,
        context_value=ClubContext(requestor=requestor, catalog=catalog or FakeCatalog()),
    )


def product(pk):
    return graphene.Node.to_global_id("Product", pk)


def collection(pk):
    return graphene.Node.to_global_id("Collection", pk)


@pytest.fixture
def merchandiser(django_user_model):
    user = django_user_model.objects.create(username="merch", email="merch@shop.co.il", is_staff=True)
    return Requestor(
        user_id=user.pk, email=user.email, is_staff=True, permissions=frozenset({"MANAGE_PRODUCTS"})
    )


@pytest.fixture
def member_in(club, django_user_model):
    """A signed-in customer of the named tier (placed there by a staff floor)."""

    def make(tier_name, username):
        user = django_user_model.objects.create(username=username, email=f"{username}@example.co.il")
        account = ledger.account_for(club, user.pk, user.email)
        if tier_name != "Regular":
            tier_settings.set_floor(account, club.tiers.get(name=tier_name), "test", ledger.SYSTEM)
        return Requestor(user_id=user.pk, email=user.email)

    return make


def mark(requestor, **fields):
    return run(MARK, requestor, channel="il", input=fields).data["loyaltyEarlyAccessMark"]


def gated(requestor):
    result = run(GATED, requestor)
    assert result.errors is None, result.errors
    return {item["id"]: item for item in result.data["earlyAccess"]}


def test_marked_product_is_unlocked_for_gold_and_locked_for_regular_and_anonymous(
    club, merchandiser, member_in
):
    # given a product marked for Gold and above
    gold, regular = member_in("Gold", "noa"), member_in("Regular", "dana")
    payload = mark(merchandiser, products=[product(7)], minimumTier=tier_gid(club.tiers.get(name="Gold")))
    assert payload["errors"] == []
    assert payload["items"] == [
        {
            "id": product(7),
            "kind": "PRODUCT",
            "startsAt": None,
            "endsAt": None,
            "minimumTier": {"name": "Gold"},
            "openToTiers": ["Gold", "Platinum"],
        }
    ]

    # when the storefront asks as a Gold member, a Regular member and an anonymous visitor
    # then only the Gold member may see it; the others get it listed as locked
    assert gated(gold)[product(7)]["locked"] is False
    assert gated(regular)[product(7)]["locked"] is True
    assert gated(Requestor())[product(7)]["locked"] is True


def test_without_a_minimum_tier_the_tiers_early_access_benefit_decides(club, merchandiser, member_in):
    # given a product marked without a minimum tier (default ladder: only Platinum has early access)
    gold, platinum = member_in("Gold", "noa"), member_in("Platinum", "maya")
    mark(merchandiser, products=[product(8)])
    assert gated(gold)[product(8)]["openToTiers"] == ["Platinum"]
    assert (gated(gold)[product(8)]["locked"], gated(platinum)[product(8)]["locked"]) == (True, False)
    assert run(ME, gold).data["me"] == {"earlyAccess": False, "tier": {"name": "Gold"}}

    # when staff give Gold the early-access benefit
    staff = Requestor(user_id=1, is_staff=True, permissions=frozenset({"MANAGE_SETTINGS"}))
    run(TIER_UPDATE, staff, id=tier_gid(club.tiers.get(name="Gold")), input={"earlyAccess": True})

    # then Gold members see it and `me` says so
    assert gated(gold)[product(8)]["locked"] is False
    assert run(ME, gold).data["me"]["earlyAccess"] is True


def test_signed_in_customer_without_an_account_is_in_the_first_tier(club, merchandiser, django_user_model):
    user = django_user_model.objects.create(username="new", email="new@example.co.il")
    club.tiers.filter(name="Regular").update(early_access=True)
    mark(merchandiser, products=[product(9)])

    assert gated(Requestor(user_id=user.pk))[product(9)]["locked"] is False
    assert gated(Requestor())[product(9)]["locked"] is True


def test_window_locks_before_start_and_drops_the_item_after_public_launch(club, merchandiser, member_in):
    # given a Platinum member and one item per phase of its window
    platinum = member_in("Platinum", "maya")
    now = datetime.now(UTC)
    mark(
        merchandiser,
        products=[product(7)],
        startsAt=(now + timedelta(days=2)).isoformat(),
        endsAt=(now + timedelta(days=9)).isoformat(),
    )
    mark(
        merchandiser,
        products=[product(8)],
        startsAt=(now - timedelta(days=1)).isoformat(),
        endsAt=(now + timedelta(days=6)).isoformat(),
    )
    EarlyAccessItem.objects.create(
        program=club,
        kind=EarlyAccessKind.PRODUCT,
        saleor_id=9,
        starts_at=now - timedelta(days=9),
        ends_at=now - timedelta(hours=1),
    )

    items = gated(platinum)

    # then the scheduled one is locked even for Platinum, the open one is not, the launched one is public
    assert items[product(7)]["locked"] is True
    assert items[product(8)]["locked"] is False
    assert product(9) not in items
    assert datetime.fromisoformat(items[product(8)]["endsAt"]) == now + timedelta(days=6)


def test_marking_again_keeps_one_row_with_the_latest_window_and_tier(club, merchandiser):
    ends = datetime(2030, 1, 1, 10, tzinfo=UTC)
    mark(merchandiser, products=[product(7)], collections=[collection(3)])

    again = mark(
        merchandiser,
        products=[product(7)],
        collections=[collection(3)],
        endsAt=ends.isoformat(),
        minimumTier=tier_gid(club.tiers.get(name="Gold")),
    )

    assert again["errors"] == []
    assert [(item["id"], item["kind"]) for item in again["items"]] == [
        (collection(3), "COLLECTION"),
        (product(7), "PRODUCT"),
    ]
    rows = list(
        EarlyAccessItem.objects.order_by("kind").values_list(
            "kind", "saleor_id", "ends_at", "minimum_tier__name", "marked_by"
        )
    )
    assert rows == [
        ("collection", 3, ends, "Gold", "merch@shop.co.il"),
        ("product", 7, ends, "Gold", "merch@shop.co.il"),
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_marks_of_one_product_leave_one_row(club):
    actor = Requestor(user_id=1, email="merch@shop.co.il").as_actor()
    windows = [datetime(2030, 1, day + 1, tzinfo=UTC) for day in range(8)]

    run_concurrently(
        lambda i: early_access.mark_items(
            club, {EarlyAccessKind.PRODUCT: [7]}, FakeCatalog(), actor, ends_at=windows[i]
        ),
        8,
    )

    rows = list(EarlyAccessItem.objects.all())
    assert len(rows) == 1
    assert rows[0].ends_at in windows


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"products": [product(404)]}, "products", "NOT_FOUND"),  # Saleor has no such product
        ({"products": [product(7), product(404)]}, "products", "NOT_FOUND"),  # one unknown spoils the request
        ({"collections": [collection(99)]}, "collections", "NOT_FOUND"),
        (
            {"products": [collection(3)]},
            "products",
            "NOT_FOUND",
        ),  # a collection's ID where a product's belongs
        ({"products": ["not-an-id"]}, "products", "NOT_FOUND"),
        (
            {
                "products": [product(7)],
                "startsAt": "2030-01-02T10:00:00+02:00",
                "endsAt": "2030-01-01T10:00:00+02:00",
            },
            "endsAt",
            "INVALID",
        ),
        (
            {
                "products": [product(7)],
                "startsAt": "2030-01-01T10:00:00+02:00",
                "endsAt": "2030-01-01T10:00:00+02:00",
            },
            "endsAt",
            "INVALID",
        ),
        ({"products": [product(7)], "startsAt": "2030-01-01T10:00:00"}, "startsAt", "INVALID"),  # no timezone
        (
            {"products": [product(7)], "endsAt": "2020-01-01T10:00:00+00:00"},
            "endsAt",
            "INVALID",
        ),  # launched already
        ({"products": [product(7)], "minimumTier": "TG95YWx0eVRpZXI6OTk5OQ=="}, "minimumTier", "NOT_FOUND"),
        ({"products": [product(7)], "minimumTier": "other-channel"}, "minimumTier", "NOT_FOUND"),
        ({}, "products", "INVALID"),
    ],
)
def test_mark_with_bad_input_is_a_typed_error_and_writes_nothing(club, merchandiser, fields, field, code):
    if fields.get("minimumTier") == "other-channel":
        other = programs.ensure_program(ChannelFacts("us", "USD", "US"))
        fields = {**fields, "minimumTier": tier_gid(other.tiers.get(name="Gold"))}

    payload = mark(merchandiser, **fields)

    assert [(error["field"], error["code"]) for error in payload["errors"]] == [(field, code)]
    assert payload["items"] is None
    assert not EarlyAccessItem.objects.exists()


def test_marking_more_than_100_items_at_once_is_refused_before_execution(club, merchandiser):
    result = run(MARK, merchandiser, channel="il", input={"products": [product(i) for i in range(1, 102)]})
    assert result.errors[0].extensions["exception"] == {"code": "INVALID", "field": "input"}
    assert not EarlyAccessItem.objects.exists()


def test_bad_mark_does_not_change_an_item_already_marked(club, merchandiser):
    mark(merchandiser, products=[product(7)])

    payload = mark(
        merchandiser, products=[product(7), product(404)], minimumTier=tier_gid(club.tiers.get(name="Gold"))
    )

    assert payload["errors"][0]["code"] == "NOT_FOUND"
    assert EarlyAccessItem.objects.get().minimum_tier is None


@pytest.mark.parametrize("permissions", [frozenset(), frozenset({"MANAGE_SETTINGS", "MANAGE_USERS"})])
def test_early_access_mark_requires_manage_products(club, permissions):
    requestor = Requestor(user_id=1, is_staff=True, permissions=permissions)

    payload = mark(requestor, products=[product(7)])

    assert payload["errors"][0]["code"] == "PERMISSION_DENIED"
    assert not EarlyAccessItem.objects.exists()


def test_unmark_stops_gating_and_is_a_no_op_the_second_time(club, merchandiser):
    mark(merchandiser, products=[product(7), product(8)], collections=[collection(3)])

    first = run(UNMARK, merchandiser, products=[product(7)], collections=[collection(3)])
    second = run(UNMARK, merchandiser, products=[product(7)], collections=[collection(3)])

    assert first.data["loyaltyEarlyAccessUnmark"] == {"errors": [], "unmarked": 2}
    assert second.data["loyaltyEarlyAccessUnmark"] == {"errors": [], "unmarked": 0}
    assert list(gated(Requestor())) == [product(8)]


def test_early_access_unmark_requires_manage_products(club, merchandiser):
    mark(merchandiser, products=[product(7)])

    result = run(
        UNMARK, Requestor(user_id=1, permissions=frozenset({"MANAGE_SETTINGS"})), products=[product(7)]
    )

    assert result.data["loyaltyEarlyAccessUnmark"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert EarlyAccessItem.objects.count() == 1


def test_deleting_a_tier_that_gates_items_is_refused(club, merchandiser):
    gold = club.tiers.get(name="Gold")
    mark(merchandiser, products=[product(7)], minimumTier=tier_gid(gold))
    staff = Requestor(user_id=1, is_staff=True, permissions=frozenset({"MANAGE_SETTINGS"}))

    result = run(TIER_DELETE, staff, id=tier_gid(gold))

    assert result.data["loyaltyTierDelete"]["errors"] == [{"field": "id", "code": "TIER_IN_USE"}]
    assert Tier.objects.filter(pk=gold.pk).exists()
    assert EarlyAccessItem.objects.get().minimum_tier_id == gold.pk


def test_storefront_list_costs_three_queries(club, merchandiser, member_in, django_assert_max_num_queries):
    gold = member_in("Gold", "noa")
    mark(
        merchandiser,
        products=[product(7), product(8)],
        collections=[collection(3)],
        minimumTier=tier_gid(club.tiers.get(name="Gold")),
    )

    with django_assert_max_num_queries(3):
        member_view = gated(gold)
    with django_assert_max_num_queries(3):
        anonymous_view = gated(Requestor())

    assert len(member_view) == len(anonymous_view) == 3


def test_unknown_channel_is_a_coded_query_error(db):
    result = run(GATED, Requestor())

    assert result.errors[0].extensions["exception"]["code"] == "CHANNEL_NOT_FOUND"


def test_marking_asks_the_catalog_once_per_kind(club, merchandiser):
    catalog = FakeCatalog()

    run(
        MARK,
        merchandiser,
        catalog,
        channel="il",
        input={"products": [product(7), product(8)], "collections": [collection(3)]},
    )

    assert catalog.calls == 2
