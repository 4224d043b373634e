"""Actions through Saleor: an app records a review with its real token, Saleor's accountRegister and profile
updates award their actions once, a share link served under the plugin's URL, the public club page."""

import graphene
import pytest
from django.test import Client
from saleor.account.models import User
from saleor.app.models import AppToken
from saleor.graphql.tests.utils import get_graphql_content

from saleor_loyalty import tasks
from saleor_loyalty.models import EntryKind, LedgerEntry

from .flows import ADDRESS, club, saleor_call

ENABLE = """mutation($key: String!) { loyaltyActionUpdate(channel: "main", key: $key, input: {isEnabled: true}) {
  errors { field code } action { key isEnabled points } } }"""
SETTINGS = """mutation { loyaltyActionSettingsUpdate(channel: "main", input: {storefrontUrl: "https://shop.example.com",
  termsEn: "Be nice.", termsHe: "היו נחמדים."}) { errors { field code } } }"""
RECORD = """mutation($userId: ID!, $key: String!, $object: String) {
  loyaltyActionRecord(channel: "main", action: "product_review", userId: $userId, objectId: $object,
                      idempotencyKey: $key) { errors { code } outcome transaction { points } } }"""
SHARE = 'mutation { loyaltyShareLinkCreate(channel: "main", target: "/products/apple-juice/") { errors { code } url } }'
CLUB_PAGE = """{ club(channel: "main") { currency isActive tiers { name } waysToEarn { key points }
  terms(languageCode: HE) } }"""
ACCOUNT_REGISTER = """mutation($input: AccountRegisterInput!) {
  accountRegister(input: $input) { user { email } errors { field message code } } }"""
ACCOUNT_UPDATE = (
    """mutation { accountUpdate(input: {firstName: "Dana", lastName: "Levi"}) { errors { field code } } }"""
)
ADDRESS_CREATE = (
    """mutation($input: AddressInput!) { accountAddressCreate(input: $input) { errors { field code } } }"""
)


def actions(key):
    return LedgerEntry.objects.filter(kind=EntryKind.ACTION, detail__action=key)


@pytest.fixture
def enable(main_club, settings_staff):
    def switch_on(key):
        _, body = club(ENABLE, {"key": key}, user=settings_staff)
        assert body["data"]["loyaltyActionUpdate"]["errors"] == [], body
        return body["data"]["loyaltyActionUpdate"]["action"]

    return switch_on


def test_a_review_recorded_by_an_app_awards_once(enable, app, permission_manage_users, customer_user):
    enable("product_review")
    _, raw_token = AppToken.objects.create(app=app, name="reviews")
    user_id = graphene.Node.to_global_id("User", customer_user.pk)
    review = {"userId": user_id, "key": "review-981", "object": "UHJvZHVjdDo3Mg=="}

    _, denied = club(RECORD, review, app_token=raw_token)
    app.permissions.add(permission_manage_users)
    _, first = club(RECORD, review, app_token=raw_token)
    _, retried = club(RECORD, review, app_token=raw_token)
    _, redelivered = club(RECORD, {**review, "key": "review-981-webhook-retry"}, app_token=raw_token)

    assert denied["data"]["loyaltyActionRecord"]["errors"] == [{"code": "PERMISSION_DENIED"}]
    assert first["data"]["loyaltyActionRecord"] == {
        "errors": [],
        "outcome": "AWARDED",
        "transaction": {"points": 50},
    }
    assert retried["data"]["loyaltyActionRecord"]["outcome"] == "AWARDED"
    assert redelivered["data"]["loyaltyActionRecord"]["outcome"] == "ALREADY_AWARDED"
    row = actions("product_review").get()
    assert row.actor_label == "app:Sample app objects"
    assert row.account.user_id == customer_user.pk


def test_a_customer_cannot_record_their_own_review(enable, customer_user):
    enable("product_review")
    user_id = graphene.Node.to_global_id("User", customer_user.pk)

    _, body = club(RECORD, {"userId": user_id, "key": "mine", "object": "p"}, user=customer_user)

    assert body["data"]["loyaltyActionRecord"]["errors"] == [{"code": "PERMISSION_DENIED"}]
    assert not actions("product_review").exists()


def test_account_register_awards_the_account_created_action_once(enable, api_client, site_settings):
    enable("account_created")
    site_settings.enable_account_confirmation_by_email = False
    site_settings.save()

    saleor_call(
        api_client,
        ACCOUNT_REGISTER,
        {
            "input": {
                "email": "newbie@example.com",
                "password": "Str0ng-enough!",
                "channel": "main",
                "redirectUrl": "https://www.example.com/confirm/",
            }
        },
        "accountRegister",
    )
    user = User.objects.get(email="newbie@example.com")
    tasks.account_created_action_task(user.pk, user.email)  # Saleor's event delivered again

    row = actions("account_created").get()
    assert (row.points, row.account.user_id, row.detail) == (
        100,
        user.pk,
        {"action": "account_created", "object": ""},
    )


def test_a_profile_completed_in_saleor_awards_once(enable, user_api_client, customer_user):
    enable("profile_completed")
    customer_user.addresses.clear()  # Saleor's fixture customer starts complete; make her new
    customer_user.first_name = customer_user.last_name = ""
    customer_user.save(update_fields=["first_name", "last_name"])

    get_graphql_content(user_api_client.post_graphql(ACCOUNT_UPDATE))  # names, no address with a phone yet
    assert not actions("profile_completed").exists()
    get_graphql_content(user_api_client.post_graphql(ADDRESS_CREATE, {"input": ADDRESS}))
    get_graphql_content(user_api_client.post_graphql(ACCOUNT_UPDATE))

    assert actions("profile_completed").count() == 1


def test_a_share_link_served_by_the_plugin_credits_other_visitors(enable, settings_staff, customer_user):
    enable("social_share")
    _, saved = club(SETTINGS, user=settings_staff)
    assert saved["data"]["loyaltyActionSettingsUpdate"]["errors"] == []
    _, body = club(SHARE, user=customer_user)  # asked from 127.0.0.1
    url = body["data"]["loyaltyShareLinkCreate"]["url"]
    path = url[url.index("/plugins/") :]

    own = Client().get(path)  # the owner, from where she asked
    friend = Client().get(path, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0")
    tampered = Client().get(path.rstrip("/")[:-2] + "xx/", REMOTE_ADDR="203.0.113.10")

    assert (own.status_code, own["Location"]) == (302, "https://shop.example.com/products/apple-juice/")
    assert friend.status_code == 302
    assert tampered.status_code == 404
    assert actions("social_share").get().account.user_id == customer_user.pk


def test_the_public_club_page_needs_no_token(enable, settings_staff):
    enable("product_review")
    club(SETTINGS, user=settings_staff)

    status, body = club(CLUB_PAGE)

    assert status == 200
    page = body["data"]["club"]
    assert page["currency"] == "USD"
    assert [tier["name"] for tier in page["tiers"]] == ["Regular", "Gold", "Platinum"]
    assert page["waysToEarn"] == [{"key": "product_review", "points": 50}]
    assert page["terms"] == "היו נחמדים."
