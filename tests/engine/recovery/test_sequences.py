from datetime import UTC, datetime, timedelta

from django.core import mail
from django.test import RequestFactory

from saleor_loyalty.messages import consent, unsubscribe
from saleor_loyalty.messages.sms import LoggingSmsBackend
from saleor_loyalty.models import (
    AbandonedCheckout,
    Medium,
    MessageLog,
    MessageStatus,
    RecoveryState,
    RestoreToken,
)

from .flows import tick
from .shop import T0, hours


def test_abandoned_guest_checkout_gets_each_step_once_at_its_time(channel, shop, opted_in):
    # given a guest (email only) who opted in and left a cart at T0
    opted_in()
    checkout = shop.add_checkout(user_id=None)

    # then nothing before the channel's 60 minutes, one email per step at +1 h, +24 h, +72 h
    assert tick(shop, T0 + timedelta(minutes=30)) == 0
    assert tick(shop, T0 + timedelta(minutes=61)) == 1
    assert tick(shop, T0 + hours(2)) == 1
    assert tick(shop, T0 + hours(24) + timedelta(minutes=1)) == 2
    assert tick(shop, T0 + hours(72) + timedelta(minutes=1)) == 3
    assert tick(shop, T0 + timedelta(days=8)) == 3

    row = AbandonedCheckout.objects.get(checkout_token=checkout.token)
    assert row.state == RecoveryState.FINISHED
    assert row.reminders_sent == 3
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["פרסומת"] * 3
    assert "תזכורת אחרונה" in mail.outbox[2].subject
    # the restore link carries a token stored only as its hash
    link = next(line for line in mail.outbox[0].body.splitlines() if "cart/restore/" in line)
    raw = link.rsplit("/", 1)[-1]
    assert len(raw) >= 43
    assert not RestoreToken.objects.filter(token_hash=raw).exists()
    assert RestoreToken.objects.filter(checkout_token=checkout.token).count() == 3


def test_no_reminder_after_the_person_ordered(channel, shop, opted_in):
    # given a first reminder went out
    opted_in()
    checkout = shop.add_checkout()
    assert tick(shop, T0 + hours(1.1)) == 1

    # when the person orders (another cart) before step 2
    shop.place_order(email="DANA@example.co.il", at=T0 + hours(3))

    # then no further reminder, and the order is attributed as a recovery
    assert tick(shop, T0 + hours(25)) == 1
    assert tick(shop, T0 + hours(80)) == 1
    row = AbandonedCheckout.objects.get(checkout_token=checkout.token)
    assert row.state == RecoveryState.RECOVERED
    assert row.recovered_revenue == 120


def test_purchase_between_claim_and_send_cancels_the_message(channel, shop, opted_in):
    # given an order that lands right after the step was claimed (the second purchase check)
    opted_in()
    checkout = shop.add_checkout()
    calls = []

    def order_lands_after_claim():
        calls.append(1)
        if len(calls) == 2:
            shop.place_order(email="dana@example.co.il", at=T0 + hours(1.1), checkout_token=checkout.token)

    shop.before_order_lookup = order_lands_after_claim

    # when the step runs
    tick(shop, T0 + hours(1.1))

    # then the claimed message is cancelled, not sent, and the cart counts as purchased, not recovered
    assert mail.outbox == []
    log = MessageLog.objects.get(claim_key__isnull=False)
    assert log.status == MessageStatus.CANCELLED
    assert "between claim and send" in log.reason
    assert AbandonedCheckout.objects.get().state == RecoveryState.PURCHASED


def test_no_reminder_without_consent(channel, shop):
    shop.add_checkout()
    for at in (hours(1.1), hours(25), hours(73)):
        tick(shop, T0 + at)
    assert mail.outbox == []
    assert set(MessageLog.objects.values_list("reason", flat=True)) == {"no recorded opt-in"}
    assert AbandonedCheckout.objects.get().state == RecoveryState.FINISHED


def test_no_reminder_after_unsubscribe_from_the_first_one(channel, shop, opted_in):
    # given the first reminder
    opted_in()
    shop.add_checkout()
    tick(shop, T0 + hours(1.1))

    # when the customer presses the one-click unsubscribe of that email
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = url.split("/saleor.loyalty", 1)[1]
    assert unsubscribe.handle(RequestFactory().post(path), path).status_code == 200

    # then no later step reaches them, nor a new cart's sequence
    shop.add_checkout(changed_at=T0 + timedelta(days=8))
    for at in (hours(25), hours(73), timedelta(days=8, hours=2)):
        tick(shop, T0 + at)
    assert len(mail.outbox) == 1


def test_emptied_cart_stops_the_sequence(channel, shop, opted_in):
    opted_in()
    checkout = shop.add_checkout()
    tick(shop, T0 + hours(1.1))
    shop.change(checkout.token, lines=(), total_gross=0)

    assert tick(shop, T0 + hours(25)) == 1
    row = AbandonedCheckout.objects.get()
    assert (row.state, row.state_reason) == (RecoveryState.STOPPED, "emptied")


def test_checkout_deleted_by_saleor_mid_sequence_stops_it(channel, shop, opted_in):
    opted_in()
    checkout = shop.add_checkout()
    tick(shop, T0 + hours(1.1))
    del shop.checkouts[checkout.token]

    assert tick(shop, T0 + hours(25)) == 1
    row = AbandonedCheckout.objects.get()
    assert (row.state, row.state_reason) == (RecoveryState.STOPPED, "checkout_deleted")


def test_changed_cart_restarts_the_clock_of_remaining_steps(channel, shop, opted_in):
    # given step 1 went out
    opted_in()
    checkout = shop.add_checkout()
    tick(shop, T0 + hours(1.1))

    # when the cart changes at +5 h and is abandoned again
    shop.change(checkout.token, last_change=T0 + hours(5))
    tick(shop, T0 + hours(6.1))

    # then step 2 comes 24 h after the change, not after the first abandonment; step 1 is never repeated
    assert tick(shop, T0 + hours(25)) == 1
    assert tick(shop, T0 + hours(29.1)) == 2
    assert MessageLog.objects.filter(step=0, status=MessageStatus.SENT).count() == 1


def test_friday_afternoon_step_waits_for_saturday_night(channel, shop, opted_in):
    # given a cart left Friday 20 Nov 2026 at 13:00 Israel time
    opted_in()
    friday = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
    shop.add_checkout(changed_at=friday)

    # when its first step falls at 14:01 (Shabbat)
    assert tick(shop, friday + hours(1.02)) == 0

    # then it is deferred (logged), not dropped, and goes out Saturday after 21:00
    deferred = MessageLog.objects.get(status=MessageStatus.DEFERRED)
    assert "Shabbat" in deferred.reason
    assert tick(shop, datetime(2026, 11, 21, 18, 30, tzinfo=UTC)) == 0
    assert tick(shop, datetime(2026, 11, 21, 19, 1, tzinfo=UTC)) == 1


def test_sms_step_at_night_is_deferred_to_the_morning(channel, shop, opted_in):
    # given a channel whose first step is an SMS, and a cart left at 21:00 Israel time
    LoggingSmsBackend.outbox.clear()
    channel.steps = [{"after_minutes": 60, "medium": "sms"}]
    channel.save()
    opted_in("+972501234567", medium=Medium.SMS)
    evening = datetime(2026, 11, 17, 19, 0, tzinfo=UTC)
    shop.add_checkout(phone="+972501234567", changed_at=evening)

    # when the step is due at 22:01, nothing goes; at 09:00 next morning it does
    tick(shop, evening + hours(1.02))
    assert LoggingSmsBackend.outbox == []
    tick(shop, datetime(2026, 11, 18, 7, 0, tzinfo=UTC))
    assert len(LoggingSmsBackend.outbox) == 1


def test_second_marketing_email_within_16_hours_is_deferred(channel, shop, opted_in):
    # given club news went to the person 10 minutes before the reminder's time
    opted_in()
    from saleor_loyalty.messages import pipeline

    pipeline.deliver(
        pipeline.Outgoing(
            category="tier_upgrade",
            medium=Medium.EMAIL,
            channel_slug="il",
            address="dana@example.co.il",
            context={"tier": "Gold"},
        ),
        now=T0 + hours(0.9),
    )
    shop.add_checkout()

    # then the reminder waits 16 h from the news
    assert tick(shop, T0 + hours(1.1)) == 1
    assert tick(shop, T0 + hours(16.8)) == 1
    assert tick(shop, T0 + hours(17)) == 2


def test_one_sequence_per_person_per_seven_days(channel, shop, opted_in):
    # given a person reminded about one cart
    opted_in()
    shop.add_checkout()
    tick(shop, T0 + hours(1.1))

    # when they abandon another cart the same day
    second = shop.add_checkout(changed_at=T0 + hours(2))
    for at in (hours(3.1), hours(27), hours(80)):
        tick(shop, T0 + at)

    # then the second cart starts no sequence of its own
    assert MessageLog.objects.filter(checkout_token=second.token, status=MessageStatus.SENT).count() == 0
    assert "one reminder sequence" in MessageLog.objects.filter(checkout_token=second.token).first().reason


def test_holdout_cart_gets_no_reminder(channel, shop, opted_in, monkeypatch):
    opted_in()
    channel.holdout_percent = 10
    channel.save()
    monkeypatch.setattr("saleor_loyalty.recovery.abandonment.random.random", lambda: 0.05)
    shop.add_checkout()

    for at in (hours(1.1), hours(25), hours(73)):
        assert tick(shop, T0 + at) == 0
    assert AbandonedCheckout.objects.get().state == RecoveryState.HOLDOUT


def test_suppression_written_mid_sequence_wins_at_the_next_step(channel, shop, opted_in):
    opted_in()
    shop.add_checkout()
    tick(shop, T0 + hours(1.1))
    consent.suppress(Medium.EMAIL, "dana@example.co.il")
    assert tick(shop, T0 + hours(25)) == 1


def test_order_in_another_channel_also_stops_the_reminders(channel, shop, opted_in):
    # given a reminded cart in the Israeli channel
    opted_in()
    shop.add_checkout()
    tick(shop, T0 + hours(1.1))

    # when the person orders in another channel
    shop.place_order(email="dana@example.co.il", at=T0 + hours(3), channel="eu")

    # then the sequence stops (no recovery is credited across channels)
    assert tick(shop, T0 + hours(25)) == 1
    row = AbandonedCheckout.objects.get()
    assert (row.state, row.recovered_order_id) == (RecoveryState.PURCHASED, None)
    assert tick(shop, T0 + hours(80)) == 1


def test_only_the_last_step_carries_the_single_use_voucher(channel, shop, opted_in):
    # given a channel offering 10 % for 48 h in the last reminder
    channel.last_step_discount_percent = 10
    channel.save()
    opted_in()
    shop.add_checkout()

    # when all three steps go out
    for at in (hours(1.1), hours(24.1), hours(72.1)):
        tick(shop, T0 + at)

    # then exactly one voucher was made, for the last step, valid 48 h from its send
    assert len(mail.outbox) == 3
    assert [code for code, *_ in shop.vouchers] == ["BACK-0001"]
    assert shop.vouchers[0][2:4] == (10, T0 + hours(72.1) + hours(48))
    assert "BACK-0001" not in mail.outbox[1].body
    assert "10% הנחה עם הקוד BACK-0001" in mail.outbox[2].body
    assert MessageLog.objects.get(step=2, status=MessageStatus.SENT).context["incentive_code"] == "BACK-0001"
