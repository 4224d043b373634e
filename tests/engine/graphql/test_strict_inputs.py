"""Variables must be what their type says: no "false" that means true, no 99.9 that redeems 99.
Each refused input is a typed error on the variable, and nothing is written."""

import graphene
import pytest

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.models import ConsentEvent, LedgerEntry
from tests.engine.api import run

CONSENT = """mutation($optIn: Boolean, $wording: String) {
  loyaltyConsentSet(channel: "il", medium: EMAIL, granted: true, source: NEWSLETTER_SIGNUP,
                    wording: $wording, optIn: $optIn) { errors { field code } } }"""
ADJUST = """mutation($userId: ID!, $points: Int!, $reason: String!) {
  loyaltyPointsAdjust(channel: "il", userId: $userId, points: $points, reason: $reason) {
    errors { field code } } }"""
SHIPPING = """mutation($ids: [ID!]!) {
  loyaltyClubShippingMethodsSet(channel: "il", shippingMethodIds: $ids) { errors { field code } } }"""
PROGRAM = """mutation($input: LoyaltyProgramInput!) {
  loyaltyProgramUpdate(channel: "il", input: $input) { errors { field code } } }"""


def refused(result, variable):
    (error,) = result.errors
    return error.extensions["exception"] == {"code": "INVALID", "field": variable}


@pytest.mark.parametrize("opt_in", ["false", "true", 0, 1, [], {}])
def test_a_boolean_must_be_a_json_boolean(program, customer, opt_in):
    me = Requestor(user_id=customer.pk, email=customer.email)
    assert refused(run(CONSENT, me, optIn=opt_in, wording="Yes, send me the club's news"), "optIn")
    assert not ConsentEvent.objects.exists()


@pytest.mark.parametrize(
    ("points", "variable"), [(99.9, "points"), ("100", "points"), (True, "points"), (2**31, "points")]
)
def test_an_int_must_be_a_json_whole_number_in_range(program, customer, staff, points, variable):
    result = run(
        ADJUST,
        staff,
        userId=graphene.Node.to_global_id("User", customer.pk),
        points=points,
        reason="goodwill",
    )
    assert refused(result, variable)
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("reason", ["x" * 2001, "goodwill\x00; DROP TABLE", 12])
def test_strings_have_a_length_limit_no_nul_and_must_be_text(program, customer, staff, reason):
    result = run(
        ADJUST, staff, userId=graphene.Node.to_global_id("User", customer.pk), points=5, reason=reason
    )
    assert refused(result, "reason")
    assert not LedgerEntry.objects.exists()


def test_lists_are_capped(program, staff):
    staff_settings = Requestor(
        user_id=staff.user_id, is_staff=True, permissions=frozenset({"MANAGE_SETTINGS"})
    )
    ids = [graphene.Node.to_global_id("ShippingMethod", n) for n in range(1, 102)]
    assert refused(run(SHIPPING, staff_settings, ids=ids), "ids")


@pytest.mark.parametrize(("earn_rate", "ok"), [(0.1, False), ("0.1", True), (2, True), (1.5, True)])
def test_decimals_come_as_strings_or_exact_numbers(program, staff, earn_rate, ok):
    result = run(PROGRAM, staff, input={"earnRate": earn_rate})
    if ok:
        assert result.errors is None
        assert result.data["loyaltyProgramUpdate"]["errors"] == []
    else:
        assert refused(result, "input")


def test_variables_must_be_an_object(program, staff):
    from saleor_loyalty.graphql.schema import schema

    result = schema.execute(ADJUST, variable_values=["not", "an", "object"])
    (error,) = result.errors
    assert error.extensions["exception"]["code"] == "INVALID"


def test_an_over_long_id_is_refused_before_execution(program, staff):
    result = run('query($id: ID) { member(channel: "il", userId: $id) { email } }', staff, id="x" * 257)
    assert refused(result, "id")


def test_the_endpoint_checks_variables_strictly_too(program, customer):
    # given a customer posting to the club endpoint, as a storefront would
    from saleor_loyalty.graphql.context import ClubContext
    from tests.engine.graphql.http import post

    me = Requestor(user_id=customer.pk, email=customer.email)
    body = {"query": CONSENT, "variables": {"optIn": "false", "wording": "Yes, send me the club's news"}}

    # when optIn is the string "false", then it is refused and no consent is recorded
    status, answer = post(body, lambda _request: ClubContext(requestor=me))
    assert answer["errors"][0]["extensions"]["exception"] == {"code": "INVALID", "field": "optIn"}
    assert not ConsentEvent.objects.exists()
