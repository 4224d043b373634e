"""Two beat workers at once on the same due reminders: real threads, real connections."""

import time

import pytest
from django.core import mail

from saleor_loyalty.models import AbandonedCheckout, MessageLog, MessageStatus
from saleor_loyalty.recovery import abandonment, sequences
from tests.concurrency import run_concurrently

from .shop import T0, hours

WORKERS = 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_send_each_step_once(channel, shop, opted_in):
    # given 20 abandoned carts of 20 opted-in people
    for i in range(20):
        opted_in(f"p{i}@example.co.il")
        shop.add_checkout(email=f"p{i}@example.co.il")
    at = T0 + hours(1.1)

    # when four workers run the whole job at the same moment
    def job():
        abandonment.sweep(shop, at)
        sequences.process_due(shop, at)

    run_concurrently(lambda _: job(), WORKERS)
    run_concurrently(lambda _: job(), WORKERS)

    # then every cart got exactly one email and one claim
    assert len(mail.outbox) == 20
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"p{i}@example.co.il" for i in range(20))
    assert MessageLog.objects.filter(status=MessageStatus.SENT).count() == 20
    assert AbandonedCheckout.objects.count() == 20


@pytest.mark.django_db(transaction=True)
def test_two_carts_of_one_person_concurrently_get_one_email(channel, shop, opted_in, monkeypatch):
    # given one person with two abandoned carts due at the same moment, and a slow cap check
    # (widening the window in which two unserialised workers would both see "nothing sent yet")
    checked_caps = sequences._caps

    def slow_caps(*args):
        result = checked_caps(*args)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(sequences, "_caps", slow_caps)
    opted_in()
    shop.add_checkout()
    shop.add_checkout()
    at = T0 + hours(1.1)
    abandonment.sweep(shop, at)

    # when workers process them at once
    run_concurrently(lambda _: sequences.process_due(shop, at), WORKERS)

    # then the per-person lock and caps let only one through
    assert len(mail.outbox) == 1
