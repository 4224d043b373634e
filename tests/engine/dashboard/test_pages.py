"""The Dashboard app's manifest and the files the plugin serves for the app and the card."""

import gzip
import json
import struct
import time

import jwt
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from saleor_loyalty.dashboard import manifest, pages
from saleor_loyalty.dashboard.standalone import tokens


def get(path, method="get"):
    request = getattr(RequestFactory(), method)(
        f"/plugins/global/saleor.loyalty{path}", HTTP_HOST="shop.example.com"
    )
    return pages.handle(request, path)


def test_the_manifest_points_every_extension_at_the_plugins_own_pages():
    data = manifest.build_manifest("https://shop.example.com/")
    app_url = "https://shop.example.com/plugins/global/saleor.loyalty/app"
    assert data["appUrl"] == app_url
    assert data["brand"]["logo"]["default"] == f"{app_url}/logo.png"
    for extension in data["extensions"]:
        # APP_PAGE relative with a leading slash; WIDGET and POPUP absolute (Saleor joins them differently)
        if extension["target"] == "APP_PAGE":
            assert extension["url"].startswith("/")
        else:
            assert extension["url"].startswith(f"{app_url}/")
        assert set(extension["permissions"]) <= set(data["permissions"])
        assert len(extension["url"]) <= 200  # AppExtension.url's length in Saleor
    assert len({e["identifier"] for e in data["extensions"]}) == len(data["extensions"])


def test_every_extension_page_is_a_page_the_plugin_serves():
    data = manifest.build_manifest("https://shop.example.com")
    for extension in data["extensions"]:
        page = extension["url"].rsplit("/app", 1)[-1] if extension["target"] != "APP_PAGE" else "/"
        response = get(f"/app{page}")
        assert response is not None, extension["url"]
        assert b'<div id="root">' in response.content


def test_the_manifest_is_served_for_the_host_it_was_asked_on(settings):
    settings.ALLOWED_HOSTS = ["shop.example.com"]  # Saleor's own setting decides which hosts are real
    response = get("/app/manifest")
    assert response.status_code == 200
    assert (
        json.loads(response.content)["appUrl"] == "http://shop.example.com/plugins/global/saleor.loyalty/app"
    )


def test_the_logo_is_a_png_of_at_least_256_pixels():
    response = get("/app/logo.png")
    assert response["Content-Type"] == "image/png"
    width, height = struct.unpack(">II", response.content[16:24])
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert min(width, height) >= 256


def test_the_app_page_loads_only_files_that_are_served():
    index = get("/app/").content.decode()
    for reference in ("assets/app.js", "assets/index.css"):
        assert f"/plugins/global/saleor.loyalty/app/{reference}" in index
        assert get(f"/app/{reference}").status_code == 200


def test_the_card_is_one_small_script_any_storefront_may_load():
    response = get("/card.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Access-Control-Allow-Origin"] == "*"
    # a few kilobytes on the wire: the card grew from balance and tier (7.2 KB, 3.3 KB gzipped) to ways to earn,
    # referrals, challenges, badges and membership in two languages (15.3 KB, 6.2 KB gzipped)
    assert len(response.content) < 16 * 1024
    assert len(gzip.compress(response.content)) < 7 * 1024
    assert b"saleor-loyalty-card" in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/app/../../settings.py",
        "/app/assets/../index.html",
        "/app/assets/%2e%2e/x",
        "/app/nope",
        "/elsewhere",
        "/app/x/y",
    ],
)
def test_anything_else_is_not_ours(path):
    assert get(path) is None


def test_only_reads_are_served():
    assert get("/app/manifest", method="post") is None


@pytest.fixture
def staff(db):
    return get_user_model().objects.create(username="staff", email="staff@example.com", is_staff=True)


def request_with(token):
    return RequestFactory().post("/", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_stand_in_check_takes_the_club_apps_token_with_its_permissions(staff):
    requestor = tokens.requestor_from_request(request_with(tokens.mint_app_token(staff, ["MANAGE_USERS"])))
    assert requestor.user_id == staff.pk
    assert requestor.permissions == frozenset({"MANAGE_USERS"})


def test_the_stand_in_check_refuses_another_apps_token(staff):
    token = tokens.mint_app_token(staff, ["MANAGE_USERS"], app_id=tokens.OTHER_APP_ID)
    with pytest.raises(PermissionError, match="another app"):
        tokens.requestor_from_request(request_with(token))


def test_the_stand_in_check_refuses_an_expired_token(staff):
    claims = jwt.decode(tokens.mint_app_token(staff, []), settings.SECRET_KEY, algorithms=["HS256"])
    expired = jwt.encode({**claims, "exp": int(time.time()) - 1}, settings.SECRET_KEY, algorithm="HS256")
    with pytest.raises(PermissionError, match="expired"):
        tokens.requestor_from_request(request_with(expired))
