"""The club's Dashboard app inside real Saleor 3.23: its manifest (served by the plugin through Saleor's own
URLs) installs with `install_app`, its extensions show in `appExtensions`, and the club endpoint accepts the
tokens Saleor mints for this app only, with the token's permissions.

Saleor's installer fetches over HTTP through its hardened client (which refuses loopback); here its
`HTTPClient` is served by Django's test client instead, so the bytes Saleor reads are the
plugin's real answers at those URLs (manifest and logo), with no live server.
"""

import json

import pytest
import requests
from django.core.management import call_command
from django.test import Client
from requests.structures import CaseInsensitiveDict
from saleor.app.models import App, AppExtension
from saleor.core.jwt import create_access_token_for_app, create_access_token_for_app_extension
from saleor.graphql.tests.utils import get_graphql_content
from saleor.permission.models import Permission

from saleor_loyalty.dashboard import manifest

from .flows import club

HOST = "localhost:8000"
MANIFEST_URL = f"http://{HOST}{manifest.MANIFEST_PATH}"
APP_EXTENSIONS = """
query { appExtensions(first: 20) { edges { node {
  label mountName targetName url app { identifier } permissions { code }
} } } }"""
MEMBERS = 'query { members(channel: "main") { totalCount } }'
PROGRAM = 'query { program(channel: "main") { currency } }'


class _SaleorServesItself:
    @staticmethod
    def send_request(method, url, **kwargs):
        return _served_by_saleor(method, url, **kwargs)


def _served_by_saleor(method, url, **_kwargs):
    """Saleor's outbound GET, answered by Saleor's own URLconf (the plugin's webhook) for localhost:8000."""
    assert method == "GET"
    assert url.startswith(f"http://{HOST}/"), url
    answer = Client(HTTP_HOST=HOST).get(url[len(f"http://{HOST}") :])
    response = requests.Response()
    response.status_code = answer.status_code
    response._content = answer.content
    response._content_consumed = True
    response.headers = CaseInsensitiveDict({**answer.headers, "content-length": str(len(answer.content))})
    response.url = url
    return response


@pytest.fixture
def club_app(db, monkeypatch, channel_USD, media_root):
    """The club app installed from its manifest (its logo lands in Saleor's temporary media root)."""
    monkeypatch.setattr("saleor.app.installation_utils.HTTPClient", _SaleorServesItself())
    call_command("install_app", MANIFEST_URL, "--activate", "--quiet")
    return App.objects.get(identifier=manifest.APP_ID)


@pytest.fixture
def club_staff(staff_user, permission_manage_users, permission_manage_settings):
    staff_user.user_permissions.add(permission_manage_users, permission_manage_settings)
    return staff_user


def test_the_plugin_serves_a_manifest_saleor_accepts(db):
    # when the Dashboard (or install_app) reads the manifest from the plugin's URL
    response = Client(HTTP_HOST=HOST).get(manifest.MANIFEST_PATH)

    # then it is Saleor 3.23's shape, pointing back at the plugin's own pages
    data = json.loads(response.content)
    assert response.status_code == 200
    assert data["id"] == "saleor.loyalty.app"
    assert data["appUrl"] == f"http://{HOST}/plugins/global/saleor.loyalty/app"
    assert data["requiredSaleorVersion"] == ">=3.23.0 <3.24.0"
    assert {e["mount"] for e in data["extensions"]} == {
        "NAVIGATION_CUSTOMERS",
        "CUSTOMER_DETAILS_WIDGETS",
        "ORDER_DETAILS_WIDGETS",
        "CUSTOMER_DETAILS_MORE_ACTIONS",
    }


def test_install_app_installs_the_club_and_its_extensions_appear_in_app_extensions(
    club_app, staff_api_client, permission_manage_apps
):
    # given the app installed with `manage.py install_app <manifest-url> --activate`
    assert club_app.is_active
    assert club_app.is_installed
    assert sorted(p.codename for p in club_app.permissions.all()) == [
        "manage_checkouts",
        "manage_orders",
        "manage_settings",
        "manage_translations",  # the tiers editor's names per language (loyaltyTierTranslate)
        "manage_users",
    ]
    # and the brand logo Saleor fetched from the plugin is stored (Saleor checks it is a ≥256 px image)
    club_app.refresh_from_db()
    assert club_app.brand_logo_default

    # when staff list the app extensions through Saleor's API
    staff_api_client.user.user_permissions.add(permission_manage_apps)
    content = get_graphql_content(staff_api_client.post_graphql(APP_EXTENSIONS))
    nodes = [edge["node"] for edge in content["data"]["appExtensions"]["edges"]]

    # then every extension of the manifest is there, on its mount and target
    found = {
        (n["mountName"], n["targetName"], n["label"])
        for n in nodes
        if n["app"]["identifier"] == manifest.APP_ID
    }
    assert found == {
        ("NAVIGATION_CUSTOMERS", "APP_PAGE", "Loyalty club"),
        ("CUSTOMER_DETAILS_WIDGETS", "WIDGET", "Loyalty club"),
        ("ORDER_DETAILS_WIDGETS", "WIDGET", "Loyalty points"),
        ("CUSTOMER_DETAILS_MORE_ACTIONS", "POPUP", "Adjust loyalty points"),
        ("CUSTOMER_DETAILS_MORE_ACTIONS", "POPUP", "Set loyalty tier"),
    }
    widget = next(n for n in nodes if n["label"] == "Loyalty club" and n["targetName"] == "WIDGET")
    assert widget["url"] == f"http://{HOST}/plugins/global/saleor.loyalty/app/customer-widget"


def test_a_token_saleor_mints_for_the_apps_widget_is_accepted_with_the_tokens_permissions(
    club_app, club_staff
):
    # given the token Saleor hands the customer-page widget (MANAGE_USERS only) for staff who also has MANAGE_SETTINGS
    widget = AppExtension.objects.get(app=club_app, mount="customer_details_widgets")
    token = create_access_token_for_app_extension(widget, widget.permissions.all(), club_staff, club_app)

    # when the widget asks the club endpoint for members, then it is answered
    status, body = club(MEMBERS, app_token=token)
    assert status == 200
    assert "errors" not in body, body
    assert body["data"]["members"]["totalCount"] >= 0

    # and when it asks for program settings (MANAGE_SETTINGS), the token's permissions decide: refused
    status, body = club(PROGRAM, app_token=token)
    assert body["errors"][0]["extensions"]["exception"]["code"] == "PERMISSION_DENIED"


def test_the_app_page_token_reaches_what_both_the_app_and_the_staff_may(club_app, club_staff):
    status, body = club(PROGRAM, app_token=create_access_token_for_app(club_app, club_staff))
    assert status == 200
    assert "errors" not in body, body
    assert body["data"]["program"]["currency"] == "USD"


def test_a_token_minted_for_another_app_is_refused(club_app, club_staff):
    # given another installed app with the same permissions, and the token Saleor mints for it
    other = App.objects.create(name="Other", identifier="other.app", is_active=True, is_installed=True)
    other.permissions.set(Permission.objects.filter(codename__in=["manage_users", "manage_settings"]))
    token = create_access_token_for_app(other, club_staff)

    # when it calls the club endpoint, then it is refused before any resolver runs
    status, body = club(MEMBERS, app_token=token)
    assert status == 401
    assert body["errors"][0]["extensions"]["exception"]["code"] == "INVALID_TOKEN"
    assert "another app" in body["errors"][0]["message"]


def test_the_club_apps_token_is_refused_once_the_app_is_deactivated(club_app, club_staff):
    token = create_access_token_for_app(club_app, club_staff)
    club_app.is_active = False
    club_app.save(update_fields=["is_active"])
    status, _body = club(MEMBERS, app_token=token)
    assert status == 401
