"""With the channel's club switched off, no cart reminder and no club news go out."""

from datetime import UTC, datetime

from django.core import mail

from saleor_loyalty import ledger
from saleor_loyalty.ledger import programs
from saleor_loyalty.messages import club_news
from saleor_loyalty.models import AbandonedCheckout, MessageLog, MessageStatus, RecoveryState
from saleor_loyalty.tiers import ladder as tiers

from .flows import tick
from .shop import T0, hours


def test_no_cart_reminder_while_the_club_is_off(channel, shop, opted_in, program):
    # given an opted-in guest's abandoned cart in `il`, whose club is switched off
    opted_in()
    checkout = shop.add_checkout(user_id=None)
    programs.update_program(program, is_active=False)

    # when the recovery job runs past the first step's time
    sent = tick(shop, T0 + hours(1.1))

    # then nothing is sent, the sequence stops, and the log says why
    assert sent == 0
    assert mail.outbox == []
    row = AbandonedCheckout.objects.get(checkout_token=checkout.token)
    assert (row.state, row.state_reason) == (RecoveryState.STOPPED, "program_inactive")
    assert MessageLog.objects.get().status == MessageStatus.SKIPPED


def test_reminders_go_on_in_a_channel_with_no_club_program(channel, shop, opted_in, db):
    # given an opted-in guest's abandoned cart in a channel that never had a club program
    opted_in()
    shop.add_checkout(user_id=None)

    # then the first reminder goes out as before
    assert tick(shop, T0 + hours(1.1)) == 1


def test_no_club_news_while_the_club_is_off(channel, opted_in, program, make_order, django_user_model):
    # given club news switched on and a tier upgrade after the job first ran
    channel.club_messages_enabled = True
    channel.save()
    opted_in()
    tiers.ensure_default_tiers(program)
    tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    club_news.send_club_news(now=tuesday)
    member = django_user_model.objects.create(username="dana", email="dana@example.co.il")
    ledger.sync_order(make_order(lines=(("Sofa", "2100.00"),), shipping="0", user=member))

    # when the club is switched off before the news job runs
    programs.update_program(program, is_active=False)
    run = club_news.send_club_news(now=tuesday + hours(1))

    # then nobody is told
    assert run.written == 0
    assert mail.outbox == []
