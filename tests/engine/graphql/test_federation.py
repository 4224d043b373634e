"""The club as a federation subgraph: its SDL, and `_entities` answering only whom `me`/`member` would."""

import uuid

import graphene
import pytest
from django.contrib.auth import get_user_model
from graphql import parse

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.graphql import query_limits, views
from saleor_loyalty.graphql.context import ClubContext
from saleor_loyalty.graphql.federation import MAX_ENTITIES
from saleor_loyalty.graphql.schema import schema
from saleor_loyalty.members.order_rewards import OrderOwner
from tests.engine.api import STAFF_PERMISSIONS, run
from tests.engine.ids import user_gid

USER_LOYALTY = """query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on User { id loyalty(channel: "il") { email points { available pending lifetime } pointsValue { amount currency } } } } }"""
ORDER_LOYALTY = """query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Order { id loyalty { pointsEarned pointsReversed pointsRedeemed cashbackEarned { amount currency } } } } }"""


def user_rep(user):
    return {"__typename": "User", "id": user_gid(user)}


def order_rep(order_id):
    return {"__typename": "Order", "id": graphene.Node.to_global_id("Order", order_id)}


def code_of(result):
    return result.errors[0].extensions["exception"]["code"]


@pytest.fixture
def neighbour(db):
    return get_user_model().objects.create(username="noa", email="noa@example.co.il")


@pytest.fixture
def earned(program, customer, make_order):
    """The customer's order of ₪150 goods, paid months ago: 150 points, spendable now."""
    facts = make_order(user=customer)
    ledger.sync_order(facts)
    return facts


def run_with_orders(query, requestor, owners, **variables):
    context = ClubContext(requestor=requestor, orders=owners.get)
    return schema.execute(query, variable_values=variables, context_value=context)


class TestSubgraphSdl:
    def test_the_sdl_is_federation_2_with_keys_on_user_and_order(self, db):
        sdl = run("{ _service { sdl } }").data["_service"]["sdl"]

        assert sdl.startswith('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3"')
        assert 'type User @key(fields: "id") {' in sdl
        assert 'type Order @key(fields: "id") {' in sdl
        assert "loyalty(" in sdl

    def test_the_sdl_leaves_saleors_me_and_the_federation_plumbing_out(self, db):
        sdl = run("{ _service { sdl } }").data["_service"]["sdl"]

        assert "  me(" not in sdl
        assert "_entities(" not in sdl
        assert "_service:" not in sdl
        assert "union _Entity" not in sdl
        assert "  member(" in sdl


class TestUserLoyalty:
    def test_the_customer_sees_their_own_membership_through_their_user(self, earned, customer):
        me = Requestor(user_id=customer.pk, email=customer.email)

        result = run(USER_LOYALTY, me, reps=[user_rep(customer)])

        assert result.errors is None
        entity = result.data["_entities"][0]
        assert entity["id"] == user_gid(customer)
        assert entity["loyalty"]["points"] == {"available": 150, "pending": 0, "lifetime": 150}
        assert entity["loyalty"]["pointsValue"] == {"amount": 7.5, "currency": "ILS"}

    def test_another_customers_representation_answers_null_and_a_coded_error(
        self, earned, customer, neighbour
    ):
        noa = Requestor(user_id=neighbour.pk, email=neighbour.email)

        result = run(USER_LOYALTY, noa, reps=[user_rep(customer)])

        assert result.data["_entities"][0]["loyalty"] is None
        assert code_of(result) == "PERMISSION_DENIED"
        assert "150" not in str(result.data)
        assert customer.email not in str(result.data)

    def test_an_anonymous_caller_is_asked_to_sign_in(self, earned, customer):
        result = run(USER_LOYALTY, Requestor(), reps=[user_rep(customer)])

        assert result.data["_entities"][0]["loyalty"] is None
        assert code_of(result) == "UNAUTHENTICATED"

    def test_staff_with_manage_users_see_any_member(self, earned, customer, staff):
        result = run(USER_LOYALTY, staff, reps=[user_rep(customer)])

        assert result.errors is None
        assert result.data["_entities"][0]["loyalty"]["email"] == customer.email

    def test_staff_restricted_to_another_channel_see_nothing(self, earned, customer):
        us_only = Requestor(
            user_id=999, is_staff=True, permissions=STAFF_PERMISSIONS, channel_slugs=frozenset({"us"})
        )

        result = run(USER_LOYALTY, us_only, reps=[user_rep(customer)])

        assert result.data["_entities"][0]["loyalty"] is None
        assert code_of(result) == "PERMISSION_DENIED"

    def test_in_a_mixed_batch_each_caller_gets_only_their_own(self, earned, customer, neighbour):
        noa = Requestor(user_id=neighbour.pk, email=neighbour.email)

        result = run(USER_LOYALTY, noa, reps=[user_rep(neighbour), user_rep(customer)])

        own, other = result.data["_entities"]
        assert own["loyalty"]["email"] == neighbour.email
        assert other["loyalty"] is None
        assert [error.path for error in result.errors] == [["_entities", 1, "loyalty"]]


class TestBatches:
    def test_a_batch_is_priced_by_how_many_representations_it_holds(self):
        def cost(count):
            reps = [{"__typename": "User", "id": f"VXNlcjo{n}"} for n in range(count)]
            return query_limits.analyse(views.schema, parse(USER_LOYALTY), {"reps": reps}, views.PRICING).cost

        assert cost(50) > 35 * cost(1)  # unpriced, a batch of 50 would cost what one costs

    def test_more_than_saleors_cap_in_variables_is_refused_before_anything_is_read(
        self, earned, customer, django_assert_num_queries
    ):
        me = Requestor(user_id=customer.pk, email=customer.email)

        with django_assert_num_queries(0):
            result = run(USER_LOYALTY, me, reps=[user_rep(customer)] * (MAX_ENTITIES + 1))

        assert result.data is None
        assert code_of(result) == "INVALID"  # the endpoint's strict variables cap lists at 100 too

    def test_more_than_saleors_cap_written_inline_is_refused_before_anything_is_read(
        self, earned, customer, django_assert_num_queries
    ):
        me = Requestor(user_id=customer.pk, email=customer.email)
        one = f'{{__typename: "User", id: "{user_gid(customer)}"}}'
        query = USER_LOYALTY.replace("query($reps: [_Any!]!)", "query").replace(
            "$reps", "[" + ", ".join([one] * (MAX_ENTITIES + 1)) + "]"
        )

        with django_assert_num_queries(0):
            result = run(query, me)

        assert result.data is None  # `_entities` is non-null, as the federation spec has it
        assert code_of(result) == "OUT_OF_RANGE"

    def test_representations_written_inline_in_the_query_are_read_too(self, earned, customer):
        me = Requestor(user_id=customer.pk, email=customer.email)
        query = USER_LOYALTY.replace("query($reps: [_Any!]!)", "query").replace(
            "$reps", f'[{{__typename: "User", id: "{user_gid(customer)}"}}]'
        )

        result = run(query, me)

        assert result.errors is None
        assert result.data["_entities"][0]["loyalty"]["points"]["available"] == 150

    def test_a_full_batch_of_saleors_cap_is_answered(self, earned, customer):
        me = Requestor(user_id=customer.pk, email=customer.email)

        result = run(USER_LOYALTY, me, reps=[user_rep(customer)] * MAX_ENTITIES)

        assert result.errors is None
        assert len(result.data["_entities"]) == MAX_ENTITIES

    @pytest.mark.parametrize(
        "representation",
        [
            {"__typename": "Checkout", "id": "Q2hlY2tvdXQ6MQ=="},
            {"id": "VXNlcjox"},
            {"__typename": "User", "id": "VXNlcjox", "email": "dana@example.co.il"},
            {"__typename": "User", "id": "T3JkZXI6MQ=="},
            {"__typename": "User", "id": 1},
            "User:1",
        ],
    )
    def test_a_malformed_representation_is_a_typed_error_for_the_whole_batch(
        self, earned, customer, representation
    ):
        me = Requestor(user_id=customer.pk, email=customer.email)

        result = run(USER_LOYALTY, me, reps=[user_rep(customer), representation])

        assert result.data is None
        assert code_of(result) == "INVALID"
        assert result.errors[0].extensions["exception"]["field"] == "representations"


class TestOrderLoyalty:
    def test_the_orders_customer_sees_what_it_earned(self, earned, customer):
        owners = {earned.order_id: OrderOwner(customer.pk, "il", "ILS", None)}
        me = Requestor(user_id=customer.pk, email=customer.email)

        result = run_with_orders(ORDER_LOYALTY, me, owners, reps=[order_rep(earned.order_id)])

        assert result.errors is None
        assert result.data["_entities"][0]["loyalty"] == {
            "pointsEarned": 150,
            "pointsReversed": 0,
            "pointsRedeemed": 0,
            "cashbackEarned": {"amount": 0.0, "currency": "ILS"},
        }

    def test_a_refund_shows_as_reversed_points(self, program, customer, make_order):
        order_id = uuid.uuid4()
        ledger.sync_order(make_order(user=customer, order_id=order_id))
        ledger.sync_order(make_order(user=customer, order_id=order_id, refunded="70.00"))
        owners = {order_id: OrderOwner(customer.pk, "il", "ILS", None)}
        me = Requestor(user_id=customer.pk, email=customer.email)

        result = run_with_orders(ORDER_LOYALTY, me, owners, reps=[order_rep(order_id)])

        rewards = result.data["_entities"][0]["loyalty"]
        # ₪70 of the ₪175 paid (goods and shipping) came back: 70/175 of the 150 points
        assert (rewards["pointsEarned"], rewards["pointsReversed"]) == (150, 60)

    def test_someone_elses_order_answers_null_and_a_coded_error(self, earned, customer, neighbour):
        owners = {earned.order_id: OrderOwner(customer.pk, "il", "ILS", None)}
        noa = Requestor(user_id=neighbour.pk, email=neighbour.email)

        result = run_with_orders(ORDER_LOYALTY, noa, owners, reps=[order_rep(earned.order_id)])

        assert result.data["_entities"][0]["loyalty"] is None
        assert code_of(result) == "PERMISSION_DENIED"

    def test_a_missing_order_looks_the_same_to_a_customer_as_someone_elses(self, db, neighbour):
        noa = Requestor(user_id=neighbour.pk, email=neighbour.email)

        result = run_with_orders(ORDER_LOYALTY, noa, {}, reps=[order_rep(uuid.uuid4())])

        assert code_of(result) == "PERMISSION_DENIED"

    def test_staff_need_manage_orders_in_the_orders_channel(self, earned, customer):
        owners = {earned.order_id: OrderOwner(customer.pk, "il", "ILS", None)}
        users_only = Requestor(user_id=900, is_staff=True, permissions=STAFF_PERMISSIONS)
        orders_us = Requestor(
            user_id=901,
            is_staff=True,
            permissions=frozenset({"MANAGE_ORDERS"}),
            channel_slugs=frozenset({"us"}),
        )
        orders_il = Requestor(user_id=902, is_staff=True, permissions=frozenset({"MANAGE_ORDERS"}))

        answers = [
            run_with_orders(ORDER_LOYALTY, staff, owners, reps=[order_rep(earned.order_id)])
            for staff in (users_only, orders_us, orders_il)
        ]

        assert [code_of(answer) for answer in answers[:2]] == ["PERMISSION_DENIED", "PERMISSION_DENIED"]
        assert answers[2].errors is None
        assert answers[2].data["_entities"][0]["loyalty"]["pointsEarned"] == 150

    def test_a_guest_order_is_for_staff_only(self, program, customer, make_order):
        guest = make_order(email="guest@example.co.il")
        ledger.sync_order(guest)
        owners = {guest.order_id: OrderOwner(None, "il", "ILS", None)}
        signed_in = Requestor(user_id=customer.pk, email=customer.email)

        result = run_with_orders(ORDER_LOYALTY, signed_in, owners, reps=[order_rep(guest.order_id)])

        assert code_of(result) == "PERMISSION_DENIED"
