from django.test import RequestFactory

from saleor_loyalty.messages import consent, unsubscribe
from saleor_loyalty.models import Medium, Suppression


def _path(token: str) -> str:
    return f"{unsubscribe.PATH_PREFIX}{token}/"


def test_unsubscribe_one_click_post_suppresses_at_once(channel, opted_in):
    # given a person who opted in, and the link from their email
    opted_in()
    token = unsubscribe.make_token(Medium.EMAIL, consent.subject_hash(Medium.EMAIL, "dana@example.co.il"))

    # when their mail client sends the RFC 8058 one-click POST (no login)
    request = RequestFactory().post(
        "/x", data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    response = unsubscribe.handle(request, _path(token))

    # then the person is suppressed on email, in every channel
    assert response.status_code == 200
    assert not consent.current_state("il", Medium.EMAIL, "dana@example.co.il").may_market


def test_unsubscribe_get_only_asks_for_confirmation(channel, opted_in):
    opted_in()
    token = unsubscribe.make_token(Medium.EMAIL, consent.subject_hash(Medium.EMAIL, "dana@example.co.il"))
    response = unsubscribe.handle(RequestFactory().get("/x"), _path(token))
    assert response.status_code == 200
    assert b'<form method="post"' in response.content
    assert not Suppression.objects.exists()


def test_unsubscribe_link_with_tampered_signature_is_rejected(channel, opted_in):
    # given a real link whose person hash is swapped for someone else's
    opted_in("victim@example.co.il")
    token = unsubscribe.make_token(Medium.EMAIL, consent.subject_hash(Medium.EMAIL, "dana@example.co.il"))
    victim = consent.subject_hash(Medium.EMAIL, "victim@example.co.il")
    payload, signature = token.rsplit(":", 1)
    forged = unsubscribe.make_token(Medium.EMAIL, victim).rsplit(":", 1)[0] + ":" + signature

    # when it is posted
    response = unsubscribe.handle(RequestFactory().post("/x"), _path(forged))

    # then nothing is written
    assert response.status_code == 400
    assert not Suppression.objects.exists()
    assert consent.current_state("il", Medium.EMAIL, "victim@example.co.il").may_market
