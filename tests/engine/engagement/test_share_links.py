"""Share links: other people's first visits credit the sharer; the sharer's own never do; a tampered token
is a 404; a link goes only to the program's storefront."""

import pytest
from django.test import RequestFactory

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import club_page, share_links
from saleor_loyalty.ledger import programs
from saleor_loyalty.models import ClubAction, EntryKind, LedgerEntry, ShareLink
from tests.engine.api import run

OWNER_IP, FRIEND_IP, OTHER_FRIEND_IP = "198.51.100.4", "203.0.113.7", "203.0.113.8"
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"
CREATE = """mutation($target: String!) { loyaltyShareLinkCreate(channel: "il", target: $target) {
  errors { field code } url } }"""


@pytest.fixture
def storefront(actions_on):
    club_page.update_settings(actions_on, storefront_url="https://shop.example.co.il/")
    return actions_on


@pytest.fixture
def link(storefront, customer):
    """Dana asks for her link from her phone (the API's client IP in tests is OWNER_IP)."""
    result = run(CREATE, Requestor(user_id=customer.pk, email=customer.email), target="/products/blue-shirt/")
    payload = result.data["loyaltyShareLinkCreate"]
    assert payload["errors"] == []
    return payload["url"]


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def visit(url_or_token, ip, agent=BROWSER, method="get"):
    token = token_of(url_or_token) if "/" in url_or_token else url_or_token
    request = getattr(RequestFactory(), method)(
        f"/plugins/global/saleor.loyalty/share/{token}/", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent
    )
    return share_links.handle(request, f"/share/{token}/")


def shares():
    return LedgerEntry.objects.filter(kind=EntryKind.ACTION, detail__action="social_share")


def test_the_link_is_served_by_the_plugin(link):
    assert link.startswith("http://localhost:8000/plugins/global/saleor.loyalty/share/")


def test_the_owners_own_visits_never_count(link):
    response = visit(link, OWNER_IP)

    assert response.status_code == 302
    assert response["Location"] == "https://shop.example.co.il/products/blue-shirt/"
    assert not shares().exists()


def test_first_visits_by_others_credit_the_sharer_once_each(link, customer):
    # when a friend opens the link twice, and another friend once
    for ip in (FRIEND_IP, FRIEND_IP, OTHER_FRIEND_IP):
        assert visit(link, ip).status_code == 302

    # then two shares of 100 points, each keyed by the visitor's salted hash (never the address)
    assert shares().count() == 2
    assert all(row.detail == {"action": "social_share", "object": row.detail["object"]} for row in shares())
    assert FRIEND_IP not in "".join(shares().values_list("source_key", flat=True))
    account = ledger.account_for(shares().first().account.program, customer.pk, customer.email)
    assert account.balance == 200
    stored = ShareLink.objects.get()
    assert (stored.visits, stored.credited_visits) == (3, 2)


def test_visitors_past_the_share_cap_credit_nothing(link):
    ClubAction.objects.filter(key="social_share").update(cap_per_day=2)

    for index in range(5):
        visit(link, f"203.0.113.{20 + index}")

    assert shares().count() == 2


def test_link_previews_and_crawlers_are_nobodys_friend(link):
    visit(link, FRIEND_IP, agent="facebookexternalhit/1.1")
    visit(link, FRIEND_IP, agent="WhatsApp/2.23")

    assert not shares().exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: "x" + token,  # the key
        lambda _token: "not-a-token",
        lambda token: token.split(":")[0],  # no signature at all
    ],
)
def test_a_tampered_token_is_a_404_and_credits_nothing(link, tamper):
    response = visit(tamper(token_of(link)), FRIEND_IP)

    assert response.status_code == 404
    assert not shares().exists()


def test_only_get_visits_count(link):
    assert visit(link, FRIEND_IP, method="post").status_code == 404
    assert not shares().exists()


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "products/x", "/a b", "/" + "x" * 500],
)
def test_a_link_can_only_point_into_the_storefront(storefront, customer, target):
    result = run(CREATE, Requestor(user_id=customer.pk, email=customer.email), target=target)

    assert result.data["loyaltyShareLinkCreate"]["errors"] == [{"field": "target", "code": "INVALID"}]
    assert not ShareLink.objects.exists()


def test_no_link_without_a_storefront_address(actions_on, customer):
    result = run(CREATE, Requestor(user_id=customer.pk, email=customer.email), target="/p/")

    assert result.data["loyaltyShareLinkCreate"]["errors"] == [{"field": "target", "code": "INVALID"}]


def test_a_switched_off_program_still_redirects_but_credits_nothing(link, storefront):
    programs.update_program(storefront, is_active=False)

    response = visit(link, FRIEND_IP)

    assert response.status_code == 302
    assert not shares().exists()
