import pytest
from django.db import connection
from django.utils import timezone

from saleor_loyalty.exceptions import ConsentWordingRequired, ExplicitOptInRequired
from saleor_loyalty.messages import consent
from saleor_loyalty.models import ConsentAction, ConsentEvent, ConsentSource, Medium, Suppression

from .conftest import WORDING


def test_consent_grant_is_current_state_with_evidence(db, opted_in):
    # given / when
    event = opted_in("Dana@Example.co.il ")

    # then the address is normalised, stored only as a hash, and the wording and IP hash are kept
    state = consent.current_state("il", Medium.EMAIL, "dana@example.co.il")
    assert state.may_market
    assert state.source == ConsentSource.CHECKOUT_CHECKBOX
    assert "dana" not in event.subject_hash
    assert event.wording == WORDING
    assert event.ip_hash
    assert "203.0.113.7" not in event.ip_hash


def test_consent_grant_without_wording_is_refused(db):
    with pytest.raises(ConsentWordingRequired):
        consent.record(
            "il", Medium.EMAIL, "dana@example.co.il", ConsentAction.GRANT, ConsentSource.ACCOUNT_PAGE
        )
    assert not ConsentEvent.objects.exists()


def test_newsletter_sign_up_without_explicit_opt_in_is_refused_whoever_records_it(db):
    # given a newsletter sign-up whose opt-in box was not explicitly ticked
    def sign_up(**opt_in):
        return consent.record(
            "il",
            Medium.EMAIL,
            "dana@example.co.il",
            ConsentAction.GRANT,
            ConsentSource.NEWSLETTER_SIGNUP,
            wording=WORDING,
            **opt_in,
        )

    # when it is recorded through the engine (not only through the API), then it grants nothing
    with pytest.raises(ExplicitOptInRequired):
        sign_up()
    assert not ConsentEvent.objects.exists()
    # and only an explicit opt-in grants
    sign_up(opt_in=True)
    assert consent.current_state("il", Medium.EMAIL, "dana@example.co.il").may_market


def test_consent_latest_event_wins_per_channel(db, opted_in):
    # given consent in two channels, then a withdrawal in one
    opted_in(channel="il")
    opted_in(channel="eu")
    consent.record(
        "il", Medium.EMAIL, "dana@example.co.il", ConsentAction.WITHDRAW, ConsentSource.ACCOUNT_PAGE
    )

    # then only that channel is withdrawn
    assert not consent.current_state("il", Medium.EMAIL, "dana@example.co.il").may_market
    assert consent.current_state("eu", Medium.EMAIL, "dana@example.co.il").may_market


def test_suppression_stops_every_channel_at_once_until_a_new_grant(db, opted_in):
    # given consent in two channels
    opted_in(channel="il")
    opted_in(channel="eu")

    # when the person unsubscribes
    consent.suppress(Medium.EMAIL, "dana@example.co.il")

    # then no channel may market to them, and SMS is untouched
    for channel in ("il", "eu"):
        state = consent.current_state(channel, Medium.EMAIL, "dana@example.co.il")
        assert state.suppressed
        assert not state.may_market

    # when they opt in again explicitly in one channel
    opted_in(channel="il", at=timezone.now())

    # then that channel is allowed again; the other stays suppressed
    assert consent.current_state("il", Medium.EMAIL, "dana@example.co.il").may_market
    assert not consent.current_state("eu", Medium.EMAIL, "dana@example.co.il").may_market


def test_consent_events_cannot_be_changed(db, opted_in):
    event = opted_in()
    with pytest.raises(ValueError, match="Consent events are evidence"):
        event.save()


def test_consent_state_is_one_indexed_query(db, opted_in):
    # given many people's events
    for i in range(50):
        opted_in(f"p{i}@example.co.il")
    subject = consent.subject_hash(Medium.EMAIL, "p7@example.co.il")

    # when the plan of the state query is asked for (with statistics of these rows: an earlier autoanalyze of
    # the emptied table would leave every index estimating one row, and the planner would pick by a tie)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {ConsentEvent._meta.db_table}, {Suppression._meta.db_table}")
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN " + consent._STATE_SQL, {"subject": subject, "channel": "il", "medium": "email"}
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")

    # then both the consent and suppression lookups use their indexes
    assert "loyalty_consent_subject_idx" in plan
    assert "loyalty_suppression_subject_uniq" in plan
