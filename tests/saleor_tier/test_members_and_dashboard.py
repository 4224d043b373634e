"""Guest sign-up, the Dashboard's plugin page, and staff/app access to the club API inside Saleor."""

import graphene
import pytest
from saleor.account.models import User
from saleor.app.models import AppToken
from saleor.graphql.tests.utils import get_graphql_content

from saleor_loyalty import tasks
from saleor_loyalty.models import EntryKind, LedgerEntry, LoyaltyAccount
from tests.concurrency import run_concurrently

from .flows import ME, club, place_paid_order, saleor_call

ACCOUNT_REGISTER = """
mutation($input: AccountRegisterInput!) {
  accountRegister(input: $input) { user { email } errors { field message code } }
}"""
PLUGIN = """
query { plugin(id: "saleor.loyalty") { name globalConfiguration { active configuration { name value type } } } }
"""
MEMBER = """
query($channel: String!, $email: String) { member(channel: $channel, email: $email) { points { pending lifetime } } }
"""
ADJUST = """
mutation($channel: String!, $userId: ID!, $points: Int!, $reason: String!) {
  loyaltyPointsAdjust(channel: $channel, userId: $userId, points: $points, reason: $reason) {
    errors { field code } transaction { points kind }
  }
}"""


def test_guest_points_follow_the_email_into_the_new_account(api_client, site_settings, shop):
    # given a guest who orders with an email only
    site_settings.enable_account_confirmation_by_email = False
    site_settings.save()
    variant, shipping = shop
    place_paid_order(api_client, variant, shipping, quantity=2, email="newbie@example.com")

    # when she registers through Saleor's accountRegister (customer_created runs in the Celery task)
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

    # then her points are hers
    user = User.objects.get(email="newbie@example.com")
    _, body = club(ME, {"channel": "main"}, user=user)
    assert body["data"]["me"]["points"]["pending"] == 20
    assert LoyaltyAccount.objects.get(user=user).balance == 20


def test_plugin_shows_in_dashboard_plugin_page(staff_api_client, permission_manage_plugins):
    staff_api_client.user.user_permissions.add(permission_manage_plugins)

    data = get_graphql_content(staff_api_client.post_graphql(PLUGIN))["data"]["plugin"]
    assert data["name"] == "Loyalty club"
    assert data["globalConfiguration"]["active"] is True
    shown = {
        item["name"]: (item["type"], item["value"]) for item in data["globalConfiguration"]["configuration"]
    }
    assert shown["graphiql_enabled"] == ("BOOLEAN", "false")
    assert shown["app_manifest_url"][0] == "OUTPUT"  # the links and switches: test_plugin_settings.py
    assert sorted(shown) == sorted(
        [
            "app_manifest_url",
            "club_endpoint_url",
            "card_script_url",
            "paused_channels",
            "default_sender_name",
            "default_sender_email",
            "graphiql_enabled",
        ]
    )


def test_staff_with_manage_users_reads_and_adjusts_a_member(
    user_api_client, staff_user, permission_manage_users, customer_user, shop
):
    variant, shipping = shop
    place_paid_order(user_api_client, variant, shipping, quantity=1, email=customer_user.email)
    user_id = graphene.Node.to_global_id("User", customer_user.pk)

    _, denied = club(
        ADJUST, {"channel": "main", "userId": user_id, "points": 5, "reason": "x"}, user=staff_user
    )
    staff_user.user_permissions.add(permission_manage_users)
    staff_user = User.objects.get(pk=staff_user.pk)  # drop the permission cache
    _, member = club(MEMBER, {"channel": "main", "email": customer_user.email}, user=staff_user)
    _, adjusted = club(
        ADJUST,
        {"channel": "main", "userId": user_id, "points": 5, "reason": "Birthday cake"},
        user=staff_user,
    )

    assert denied["data"]["loyaltyPointsAdjust"]["errors"] == [{"field": None, "code": "PERMISSION_DENIED"}]
    assert member["data"]["member"]["points"] == {"pending": 10, "lifetime": 10}
    assert adjusted["data"]["loyaltyPointsAdjust"]["transaction"] == {"points": 5, "kind": "ADJUSTMENT"}
    entry = LedgerEntry.objects.get(kind=EntryKind.ADJUSTMENT)
    assert (entry.actor_user_id, entry.reason) == (staff_user.pk, "Birthday cake")


def test_app_token_needs_manage_users_to_adjust(app, permission_manage_users, customer_user, channel_USD):
    _, raw_token = AppToken.objects.create(app=app, name="crm")
    user_id = graphene.Node.to_global_id("User", customer_user.pk)
    variables = {"channel": "main", "userId": user_id, "points": 30, "reason": "Survey answered"}

    _, denied = club(ADJUST, variables, app_token=raw_token)
    app.permissions.add(permission_manage_users)
    _, allowed = club(ADJUST, variables, app_token=raw_token)

    assert denied["data"]["loyaltyPointsAdjust"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert allowed["data"]["loyaltyPointsAdjust"]["errors"] == []
    assert LedgerEntry.objects.get(kind=EntryKind.ADJUSTMENT).actor_app_id == app.pk


@pytest.mark.django_db(transaction=True)
def test_order_paid_task_run_by_concurrent_workers_awards_once(user_api_client, customer_user, shop):
    # given a paid order
    variant, shipping = shop
    order = place_paid_order(user_api_client, variant, shipping, quantity=3, email=customer_user.email)
    order_pk = graphene.Node.from_global_id(order["id"])[1]

    # when four workers run the accrual task for it at the same moment
    run_concurrently(lambda _: tasks.sync_order_task(order_pk), workers=4)

    # then there is still one award
    assert LedgerEntry.objects.filter(kind=EntryKind.EARN).count() == 1
    assert LoyaltyAccount.objects.get(user=customer_user).balance == 30


def test_graphiql_only_on_get_in_debug(settings, channel_USD):
    from django.test import Client

    from .flows import CLUB_URL

    settings.DEBUG = False
    hidden = Client().get(CLUB_URL)
    settings.DEBUG = True
    shown = Client().get(CLUB_URL)

    assert hidden.status_code == 405
    assert shown.status_code == 200
    assert b"GraphiQL" in shown.content


CUSTOMER_DELETE = """
mutation($id: ID!) { customerDelete(id: $id) { errors { field message code } } }"""


def test_saleor_deleting_a_customer_makes_the_club_forget_them(
    user_api_client,
    staff_api_client,
    permission_manage_users,
    customer_user,
    shop,
    django_capture_on_commit_callbacks,
):
    # given a member with points from a real order
    variant, shipping = shop
    place_paid_order(user_api_client, variant, shipping, quantity=3, email=customer_user.email)
    account = LoyaltyAccount.objects.get(user=customer_user)
    earned = list(LedgerEntry.objects.filter(account=account).values_list("kind", "points"))
    assert earned == [(EntryKind.EARN, 30)]

    # when staff delete the customer through Saleor's own mutation
    staff_api_client.user.user_permissions.add(permission_manage_users)
    with django_capture_on_commit_callbacks(execute=True):
        saleor_call(
            staff_api_client,
            CUSTOMER_DELETE,
            {"id": graphene.Node.to_global_id("User", customer_user.pk)},
            "customerDelete",
        )

    # then the account is anonymous, and its ledger is exactly what it was
    account.refresh_from_db()
    assert (account.user_id, account.email) == (None, f"account-{account.pk}@forgotten.invalid")
    assert list(LedgerEntry.objects.filter(account=account).values_list("kind", "points")) == earned
    assert not LoyaltyAccount.objects.filter(email__iexact=customer_user.email).exists()


def test_staff_group_restricted_to_another_channel_cannot_reach_this_channels_club(
    staff_user,
    permission_group_manage_users,
    channel_USD,
    channel_PLN,
    customer_user,
):
    # given a staff member whose only MANAGE_USERS group is restricted to the PLN channel
    permission_group_manage_users.user_set.add(staff_user)
    permission_group_manage_users.restricted_access_to_channels = True
    permission_group_manage_users.save(update_fields=["restricted_access_to_channels"])
    permission_group_manage_users.channels.add(channel_PLN)
    staff = User.objects.get(pk=staff_user.pk)

    # then the `main` (USD) club is closed to them, the PLN club is open
    _, denied = club(MEMBER, {"channel": channel_USD.slug, "email": customer_user.email}, user=staff)
    assert denied["errors"][0]["extensions"]["exception"]["code"] == "PERMISSION_DENIED"
    _, allowed = club(MEMBER, {"channel": channel_PLN.slug, "email": customer_user.email}, user=staff)
    assert "errors" not in allowed, allowed

    # and lifting the restriction opens `main` again, as in Saleor's own API
    permission_group_manage_users.restricted_access_to_channels = False
    permission_group_manage_users.save(update_fields=["restricted_access_to_channels"])
    _, reopened = club(MEMBER, {"channel": channel_USD.slug, "email": customer_user.email}, user=staff)
    assert "errors" not in reopened, reopened
