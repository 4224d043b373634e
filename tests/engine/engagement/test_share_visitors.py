"""Share-link visitors: the sharer is known by account from anywhere; anyone else credits only with a visitor
id (account or signed cookie) AND an address not seen before, so clearing cookies or rotating IPs alone
cannot farm points; both are kept as keyed hashes only."""

import hashlib
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from saleor_loyalty import ledger
from saleor_loyalty.engagement import club_page, share_links, share_visitors
from saleor_loyalty.models import ClubAction, EntryKind, LedgerEntry, ShareLink, ShareVisit
from tests.concurrency import run_concurrently

OWNER_IP, IP_1, IP_2, IP_3 = "198.51.100.4", "203.0.113.7", "203.0.113.8", "203.0.113.9"
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"


@pytest.fixture
def dana(actions_on, customer):
    club_page.update_settings(actions_on, storefront_url="https://shop.example.co.il/")
    return ledger.account_for(actions_on, customer.pk, customer.email)


@pytest.fixture
def link(dana):
    """Dana asked for her link from OWNER_IP."""
    return share_links.share_link(dana, "/products/blue-shirt/", OWNER_IP)[1]


@pytest.fixture
def noa(db):
    return get_user_model().objects.create(username="noa", email="noa@example.co.il")


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def visit(url, ip, cookie=None, user_id=None):
    request = RequestFactory().get(
        f"/plugins/global/saleor.loyalty/share/{token_of(url)}/", REMOTE_ADDR=ip, HTTP_USER_AGENT=BROWSER
    )
    if cookie is not None:
        request.COOKIES[share_visitors.COOKIE] = cookie
    response = share_links.handle(request, f"/share/{token_of(url)}/", identify=lambda _request: user_id)
    assert response.status_code == 302
    return response


def cookie_of(response) -> str:
    return response.cookies[share_visitors.COOKIE].value


def credited() -> int:
    return LedgerEntry.objects.filter(kind=EntryKind.ACTION, detail__action="social_share").count()


def test_the_signed_in_sharer_never_credits_themself_from_any_address(link, customer):
    visit(link, IP_1, user_id=customer.pk)
    assert credited() == 0

    # and the address they visited from is theirs from then on, signed in or not
    visit(link, IP_1)
    assert credited() == 0
    assert share_links.visitor_hash(IP_1) in ShareLink.objects.get().owner_hashes


def test_a_signed_in_friend_credits_once_whatever_their_address(link, noa):
    visit(link, IP_1, user_id=noa.pk)
    visit(link, IP_2, user_id=noa.pk)
    visit(link, IP_3, user_id=noa.pk)

    assert credited() == 1


def test_a_new_visitor_gets_a_signed_http_only_cookie(link):
    response = visit(link, IP_1)

    morsel = response.cookies[share_visitors.COOKIE]
    assert morsel["httponly"]
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == share_visitors.COOKIE_PATH
    assert ":" in morsel.value  # value:signature
    assert credited() == 1


def test_clearing_cookies_alone_earns_nothing(link):
    visit(link, IP_1)

    again = visit(link, IP_1)  # no cookie: a fresh id, the same address

    assert credited() == 1
    assert cookie_of(again)


def test_rotating_addresses_alone_earns_nothing(link):
    cookie = cookie_of(visit(link, IP_1))

    kept = visit(link, IP_2, cookie=cookie)
    visit(link, IP_3, cookie=cookie)

    assert credited() == 1
    assert share_visitors.COOKIE not in kept.cookies  # a valid cookie is kept, not replaced


def test_a_new_visitor_from_a_new_address_credits(link):
    visit(link, IP_1)
    visit(link, IP_2)

    assert credited() == 2
    assert ShareVisit.objects.count() == 2


def test_a_tampered_cookie_is_a_new_visitor_id(link):
    cookie = cookie_of(visit(link, IP_1))
    forged = cookie.split(":")[0] + ":forged"

    response = visit(link, IP_2, cookie=forged)

    assert cookie_of(response) != forged
    assert credited() == 2  # a new id from a new address is a new visitor


def test_a_visitor_seen_on_one_link_does_not_credit_another_in_the_window(dana, link):
    ClubAction.objects.filter(program=dana.program, key="social_share").update(
        cap_per_day=None, cap_per_month=50, cap_lifetime=None
    )
    other = share_links.share_link(dana, "/products/red-shirt/", OWNER_IP)[1]
    cookie = cookie_of(visit(link, IP_1))

    visit(other, IP_1, cookie=cookie)
    visit(other, IP_2)  # a new id from a new address: a different visitor
    assert credited() == 2

    # next month the window has moved: the first visitor may credit the other link
    later = datetime.now(UTC) + timedelta(days=40)
    with mock.patch("saleor_loyalty.engagement.share_links.timezone.now", return_value=later):
        visit(other, IP_1, cookie=cookie)
    assert credited() == 3


def test_no_address_no_credit(link):
    visit(link, "")

    assert credited() == 0


def test_only_keyed_hashes_are_kept(link):
    cookie = cookie_of(visit(link, IP_1))
    stored = ShareVisit.objects.get()
    visitor_id = cookie.split(":")[0]

    assert stored.ip_hash == share_links.visitor_hash(IP_1)
    assert stored.ip_hash != hashlib.sha256(IP_1.encode()).hexdigest()
    assert stored.visitor_hash == share_visitors.visitor_key(None, visitor_id)
    assert visitor_id not in stored.visitor_hash
    assert IP_1 not in stored.ip_hash


def test_each_hash_is_unique_per_link_in_the_database(link):
    visit(link, IP_1)
    stored = ShareVisit.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        ShareVisit.objects.create(
            link=stored.link,
            sharer=stored.sharer,
            visitor_hash="other",
            ip_hash=stored.ip_hash,
            created_at=stored.created_at,
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_visits_from_one_address_credit_once(link):
    # four browsers without cookies behind one address open the link at the same instant
    run_concurrently(lambda _: visit(link, IP_1), workers=4)

    assert credited() == 1
    assert ShareVisit.objects.count() == 1
