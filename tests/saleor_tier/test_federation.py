"""One graph for storefronts: Saleor and the club compose as Federation 2 subgraphs, and Apollo's gateway
in front of a live Saleor serves `me { loyalty }` to each customer for themselves only."""

import graphene
import pytest
from django.db import connections
from saleor.account.models import User
from saleor.core.jwt import create_access_token
from saleor.graphql.tests.utils import get_graphql_content

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Actor

from .flows import CLUB_URL, club, place_paid_order
from .gateway_node import compose, gateway, install, node_or_skip, post

SERVICE = "{ _service { sdl } }"
ME_LOYALTY = """{ me { email loyalty(channel: "main") {
  points { available } pointsValue { amount currency } tier { name } } } }"""
USER_ENTITY = """query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on User { loyalty(channel: "main") { email points { available } } } } }"""
ORDER_ENTITY = """query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Order { loyalty { pointsEarned pointsReversed pointsRedeemed cashbackEarned { currency } } } } }"""


@pytest.fixture
def node():
    executable = node_or_skip()
    install(executable)
    return executable


@pytest.fixture
def live_replica(monkeypatch):
    """The live server's threads open their own connections: Saleor's read replica alias must name the
    test database there too (Django mirrors it only on the main thread's connection object)."""
    test_database = connections["default"].settings_dict["NAME"]
    monkeypatch.setitem(connections.settings["replica"], "NAME", test_database)


def saleor_sdl(api_client) -> str:
    """Saleor's own subgraph SDL, asked from Saleor's API."""
    return get_graphql_content(api_client.post_graphql(SERVICE))["data"]["_service"]["sdl"]


def club_sdl() -> str:
    status, body = club(SERVICE)
    assert status == 200, body
    return body["data"]["_service"]["sdl"]


def give_points(club_program, user, points):
    account = ledger.account_for(club_program, user.pk, user.email)
    ledger.adjust_points(account, points, "Welcome to the club", Actor(label="test"))


def test_saleor_and_the_club_compose_into_one_federation_2_supergraph(node, api_client):
    # given both subgraphs' SDL as each serves it
    subgraphs = [
        {"name": "saleor", "url": "http://saleor.invalid/graphql/", "sdl": saleor_sdl(api_client)},
        {"name": "loyalty", "url": "http://saleor.invalid/loyalty/", "sdl": club_sdl()},
    ]

    # when Apollo's composition library composes them
    result = compose(node, subgraphs)

    # then there is no composition error, and Saleor's User carries the club's field
    assert result.get("errors") is None, "\n".join(result["errors"])
    supergraph = result["supergraphSdl"]
    assert '@join__graph(name: "loyalty"' in supergraph
    user = supergraph[supergraph.index("\ntype User ") :]
    assert '@join__type(graph: LOYALTY, key: "id")' in user[: user.index("{")]
    assert "): LoyaltyMember @join__field(graph: LOYALTY)" in supergraph


@pytest.mark.django_db(transaction=True)  # the live server's thread must see the test's rows
def test_a_gateway_serves_each_customer_their_own_loyalty_under_saleors_me(
    node, live_replica, live_server, api_client, main_club, customer_user, customer_user2, tmp_path
):
    # given two customers with different balances, and a gateway composed over the live Saleor
    give_points(main_club, customer_user, 400)
    give_points(main_club, customer_user2, 40)
    result = compose(
        node,
        [
            {"name": "saleor", "url": f"{live_server.url}/graphql/", "sdl": saleor_sdl(api_client)},
            {"name": "loyalty", "url": f"{live_server.url}{CLUB_URL}", "sdl": club_sdl()},
        ],
    )
    assert result.get("errors") is None, result.get("errors")
    supergraph = tmp_path / "supergraph.graphql"
    supergraph.write_text(result["supergraphSdl"])

    # when each asks the gateway as a storefront would, with their own token (and someone without one)
    with gateway(node, supergraph) as url:
        dana = post(url, ME_LOYALTY, create_access_token(customer_user))
        other = post(url, ME_LOYALTY, create_access_token(customer_user2))
        anonymous = post(url, ME_LOYALTY)

    # then each sees their own membership, never the other's
    assert dana == {
        "data": {
            "me": {
                "email": customer_user.email,
                "loyalty": {
                    "points": {"available": 400},
                    "pointsValue": {"amount": 20.0, "currency": "USD"},
                    "tier": {"name": "Regular"},
                },
            }
        }
    }
    assert other["data"]["me"]["email"] == customer_user2.email
    assert other["data"]["me"]["loyalty"]["points"] == {"available": 40}
    assert "errors" not in other
    assert anonymous["data"]["me"] is None


def test_entities_never_show_another_users_loyalty_to_a_customer_token(
    main_club, customer_user, customer_user2
):
    # given a member with points
    give_points(main_club, customer_user, 400)
    reps = [{"__typename": "User", "id": graphene.Node.to_global_id("User", customer_user.pk)}]

    # when another customer asks the club's subgraph for that user directly
    status, body = club(USER_ENTITY, {"reps": reps}, user=customer_user2)

    # then null and a coded error, and nothing of the first customer's
    assert status == 200
    assert body["data"]["_entities"] == [{"loyalty": None}]
    assert body["errors"][0]["extensions"]["exception"]["code"] == "PERMISSION_DENIED"
    assert customer_user.email not in str(body)


def test_an_orders_loyalty_is_for_its_customer_and_staff_with_manage_orders(
    user_api_client, customer_user, customer_user2, staff_user, permission_manage_orders, shop
):
    # given a paid order of three $10 items
    variant, shipping = shop
    order = place_paid_order(user_api_client, variant, shipping, quantity=3, email=customer_user.email)
    reps = [{"__typename": "Order", "id": order["id"]}]
    staff_user.user_permissions.add(permission_manage_orders)
    staff = User.objects.get(pk=staff_user.pk)

    # when its customer, another customer and staff ask for the order's loyalty
    _, own = club(ORDER_ENTITY, {"reps": reps}, user=customer_user)
    _, other = club(ORDER_ENTITY, {"reps": reps}, user=customer_user2)
    _, by_staff = club(ORDER_ENTITY, {"reps": reps}, user=staff)

    # then the customer and staff see the 30 points it earned; the other customer sees nothing
    earned = {
        "pointsEarned": 30,
        "pointsReversed": 0,
        "pointsRedeemed": 0,
        "cashbackEarned": {"currency": "USD"},
    }
    assert own["data"]["_entities"] == [{"loyalty": earned}]
    assert by_staff["data"]["_entities"] == [{"loyalty": earned}]
    assert other["data"]["_entities"] == [{"loyalty": None}]
    assert other["errors"][0]["extensions"]["exception"]["code"] == "PERMISSION_DENIED"
