from datetime import timedelta

import graphene
from django.core import mail

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.models import ConsentEvent, MessageLog
from saleor_loyalty.recovery import restore
from tests.engine.api import run

from .conftest import WORDING
from .flows import tick
from .shop import T0, hours

CONSENT_SET = """
mutation($medium: LoyaltyConsentMedium!, $granted: Boolean!, $source: LoyaltyConsentSource!, $wording: String,
         $optIn: Boolean, $checkoutId: ID) {
  loyaltyConsentSet(channel: "il", medium: $medium, granted: $granted, source: $source, wording: $wording,
                    optIn: $optIn, checkoutId: $checkoutId) {
    consent { medium granted suppressed } errors { field code message }
  }
}"""
MY_CONSENT = 'query { myConsent(channel: "il") { medium granted suppressed } }'
RESTORE = "query($token: String!) { restoreCheckout(token: $token) { checkoutId channel } }"
DASHBOARD = """query {
  abandonedCheckouts(channel: "il", first: 10) {
    edges { node { email state remindersSent total { amount currency } lines { name total { amount } } } }
    pageInfo { hasNextPage } totalCount }
  messageLog(channel: "il", first: 10) { edges { node { id status recipient category } } pageInfo { hasNextPage } }
  recoveryStats(channel: "il", since: "2026-11-01T00:00:00+00:00", until: "2026-12-01T00:00:00+00:00") {
    abandonedCount remindersSent recoveryRate abandonedValue { amount currency } } }"""

CUSTOMER = Requestor(user_id=7, email="dana@example.co.il")
STAFF = Requestor(
    user_id=1, email="staff@example.co.il", is_staff=True, permissions=frozenset({"MANAGE_CHECKOUTS"})
)


def test_customer_sets_and_reads_own_consent(channel):
    result = run(CONSENT_SET, CUSTOMER, medium="EMAIL", granted=True, source="ACCOUNT_PAGE", wording=WORDING)
    assert result.errors is None
    assert result.data["loyaltyConsentSet"] == {
        "consent": {"medium": "EMAIL", "granted": True, "suppressed": False},
        "errors": [],
    }
    event = ConsentEvent.objects.get()
    assert event.user_id == 7
    assert event.wording == WORDING
    assert event.ip_hash

    assert run(MY_CONSENT, CUSTOMER).data["myConsent"] == [
        {"medium": "EMAIL", "granted": True, "suppressed": False}
    ]


def test_newsletter_signup_without_explicit_opt_in_writes_nothing(channel):
    result = run(
        CONSENT_SET, CUSTOMER, medium="EMAIL", granted=True, source="NEWSLETTER_SIGNUP", wording=WORDING
    )
    assert result.data["loyaltyConsentSet"]["errors"] == [
        {
            "field": "optIn",
            "code": "OPT_IN_REQUIRED",
            "message": "Newsletter sign-up needs an explicit opt-in.",
        }
    ]
    assert not ConsentEvent.objects.exists()


def test_grant_without_wording_is_a_typed_error(channel):
    result = run(CONSENT_SET, CUSTOMER, medium="EMAIL", granted=True, source="ACCOUNT_PAGE")
    assert result.data["loyaltyConsentSet"]["errors"][0]["code"] == "REQUIRED"
    assert not ConsentEvent.objects.exists()


def test_guest_sets_consent_for_their_checkout_email(channel, shop):
    checkout = shop.add_checkout(email="guest@example.co.il")
    result = run(
        CONSENT_SET,
        shop=shop,
        medium="EMAIL",
        granted=True,
        source="CHECKOUT_CHECKBOX",
        wording=WORDING,
        checkoutId=graphene.Node.to_global_id("Checkout", checkout.token),
    )
    assert result.data["loyaltyConsentSet"]["consent"]["granted"] is True


def test_consent_set_requires_permission_of_a_customer_or_checkout_holder(channel):
    result = run(CONSENT_SET, medium="EMAIL", granted=True, source="ACCOUNT_PAGE", wording=WORDING)
    assert result.data["loyaltyConsentSet"]["errors"][0]["code"] == "UNAUTHENTICATED"
    assert not ConsentEvent.objects.exists()


def test_restore_query_resolves_token_and_refuses_forged_or_gone(channel, shop):
    checkout = shop.add_checkout()
    raw = restore.mint(checkout.token, "il", T0)

    # the restore link tokens are checked against real time in the API
    from saleor_loyalty.models import RestoreToken

    RestoreToken.objects.update(expires_at=T0 + timedelta(days=3650))
    ok = run(RESTORE, shop=shop, token=raw)
    assert ok.data["restoreCheckout"] == {
        "checkoutId": graphene.Node.to_global_id("Checkout", checkout.token),
        "channel": "il",
    }

    forged = run(RESTORE, shop=shop, token="x" * 43)
    assert forged.errors[0].extensions["exception"]["code"] == "INVALID_TOKEN"

    del shop.checkouts[checkout.token]
    gone = run(RESTORE, shop=shop, token=raw)
    assert gone.errors[0].extensions["exception"]["code"] == "INVALID_TOKEN"


def test_dashboard_queries_require_manage_checkouts(channel):
    result = run(DASHBOARD, CUSTOMER)
    assert {error.extensions["exception"]["code"] for error in result.errors} == {"PERMISSION_DENIED"}


def test_dashboard_shows_carts_log_and_stats(channel, program, shop, opted_in):
    opted_in()
    shop.add_checkout()
    tick(shop, T0 + hours(1.1))
    assert len(mail.outbox) == 1

    result = run(DASHBOARD, STAFF)

    assert result.errors is None, result.errors
    assert result.data["abandonedCheckouts"] == {
        "edges": [
            {
                "node": {
                    "email": "dana@example.co.il",
                    "state": "ACTIVE",
                    "remindersSent": 1,
                    "total": {"amount": 120.0, "currency": "ILS"},
                    "lines": [{"name": "Shirt", "total": {"amount": 120.0}}],
                }
            }
        ],
        "pageInfo": {"hasNextPage": False},
        "totalCount": 1,
    }
    (message,) = [edge["node"] for edge in result.data["messageLog"]["edges"]]
    message_pk = MessageLog.objects.get().pk
    assert message == {
        "id": graphene.Node.to_global_id("LoyaltyMessage", message_pk),
        "status": "sent",
        "recipient": "dana@example.co.il",
        "category": "cart_reminder",
    }
    assert result.data["recoveryStats"] == {
        "abandonedCount": 1,
        "remindersSent": 1,
        "recoveryRate": 0.0,
        "abandonedValue": {"amount": 120.0, "currency": "ILS"},
    }


def test_consent_for_a_malformed_or_unknown_checkout_is_a_typed_error(channel, shop):
    for checkout_id in (
        graphene.Node.to_global_id("Checkout", "not-a-uuid"),
        graphene.Node.to_global_id("Checkout", "00000000-0000-0000-0000-000000000000"),
    ):
        result = run(
            CONSENT_SET,
            shop=shop,
            medium="EMAIL",
            granted=True,
            source="CHECKOUT_CHECKBOX",
            wording=WORDING,
            checkoutId=checkout_id,
        )
        assert result.errors is None
        assert result.data["loyaltyConsentSet"]["errors"][0]["field"] == "checkoutId"
    assert not ConsentEvent.objects.exists()
