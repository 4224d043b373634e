import base64

from django.core import mail, signing
from django.test import RequestFactory, override_settings

from saleor_loyalty.messages import consent, unsubscribe
from saleor_loyalty.models import Medium, Suppression, UnsubscribeKey


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


def _pieces(token: str) -> list[bytes]:
    """Every part of a token, raw and base64-decoded where it decodes."""
    pieces = []
    for part in token.split(":"):
        pieces.append(part.encode())
        try:
            pieces.append(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        except ValueError:
            pass
    return pieces


def test_unsubscribe_token_neither_contains_nor_follows_from_the_address_hash(channel, opted_in):
    # given a person's address hash, which anyone can compute from a guessed address
    subject = consent.subject_hash(Medium.EMAIL, "dana@example.co.il")

    # when a link is made for them
    token = unsubscribe.make_token(Medium.EMAIL, subject)

    # then no part of the token, raw or decoded, holds the hash (hex or bytes)
    assert all(
        subject.encode() not in piece and bytes.fromhex(subject) not in piece for piece in _pieces(token)
    )
    # and it is not a function of the hash: the same person's link differs once their key is new
    assert unsubscribe.make_token(Medium.EMAIL, subject) == token
    UnsubscribeKey.objects.all().delete()
    assert unsubscribe.make_token(Medium.EMAIL, subject) != token
    # and only this server signs: under another secret the token is refused
    with override_settings(SECRET_KEY="another-deployment"):
        assert unsubscribe.read_token(token) is None


def test_unsubscribe_link_in_a_sent_email_carries_no_address_hash(channel, opted_in):
    from saleor_loyalty.messages import pipeline

    opted_in()
    pipeline.deliver(
        pipeline.Outgoing(
            category="tier_upgrade",
            medium=Medium.EMAIL,
            channel_slug="il",
            address="dana@example.co.il",
            context={"tier": "Gold"},
        )
    )
    subject = consent.subject_hash(Medium.EMAIL, "dana@example.co.il")
    [email] = mail.outbox
    url = email.extra_headers["List-Unsubscribe"].strip("<>")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert subject not in email.body
    assert subject not in url
    assert all(
        subject.encode() not in piece and bytes.fromhex(subject) not in piece for piece in _pieces(token)
    )

    # and that link still unsubscribes in one click
    response = unsubscribe.handle(
        RequestFactory().post(
            "/x", data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        ),
        _path(token),
    )
    assert response.status_code == 200
    assert consent.current_state("il", Medium.EMAIL, "dana@example.co.il").suppressed


def test_unsubscribe_link_with_a_tampered_key_is_rejected(channel, opted_in):
    opted_in()
    token = unsubscribe.make_token(Medium.EMAIL, consent.subject_hash(Medium.EMAIL, "dana@example.co.il"))
    key, signature = token.split(":")
    tampered = ("A" if key[0] != "A" else "B") + key[1:] + ":" + signature

    for forged in (tampered, key, f"{key}:", "not-a-token"):
        assert unsubscribe.handle(RequestFactory().post("/x"), _path(forged)).status_code == 400
    assert not Suppression.objects.exists()


def legacy_token(subject: str) -> str:
    """A link of the earlier form: the person's hash in a payload signed with the deployment's key."""
    return signing.Signer(salt="saleor_loyalty.unsubscribe", algorithm="sha256").sign_object(
        {"m": Medium.EMAIL, "s": subject}
    )


def test_legacy_link_already_sent_still_unsubscribes_while_allowed(channel, opted_in, settings):
    opted_in()
    token = legacy_token(consent.subject_hash(Medium.EMAIL, "dana@example.co.il"))

    settings.LOYALTY_ACCEPT_LEGACY_UNSUBSCRIBE_LINKS = False
    assert unsubscribe.handle(RequestFactory().post("/x"), _path(token)).status_code == 400
    settings.LOYALTY_ACCEPT_LEGACY_UNSUBSCRIBE_LINKS = True
    assert unsubscribe.handle(RequestFactory().post("/x"), _path(token)).status_code == 200
    assert consent.current_state("il", Medium.EMAIL, "dana@example.co.il").suppressed


def test_legacy_form_for_a_guessed_address_without_the_servers_signature_is_rejected(channel, opted_in):
    # given someone who guessed an address and builds an old-form link for it under another key
    opted_in("victim@example.co.il")
    with override_settings(SECRET_KEY="attacker-guess"):
        forged = legacy_token(consent.subject_hash(Medium.EMAIL, "victim@example.co.il"))

    # then the server refuses it and writes nothing
    assert unsubscribe.handle(RequestFactory().post("/x"), _path(forged)).status_code == 400
    assert not Suppression.objects.exists()
