"""A customer Saleor deleted: the club keeps its books and forgets the person."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core import mail

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import ChannelFacts
from saleor_loyalty.ledger.programs import ensure_program
from saleor_loyalty.members import privacy
from saleor_loyalty.models import (
    AbandonedCheckout,
    CheckoutActivity,
    LedgerEntry,
    LoyaltyAccount,
    MessageLog,
    RecoveryState,
)

from .flows import tick
from .shop import T0

EMAIL = "dana@example.co.il"


def test_deleted_customer_is_forgotten_but_the_ledger_still_adds_up(channel, shop, opted_in):
    # given a member with points, a birthday and a cart in the middle of its reminders
    program = ensure_program(ChannelFacts("il", "ILS", "IL"))
    user = get_user_model().objects.create(username="dana", email=EMAIL)
    member = ledger.account_for(program, user.pk, EMAIL)
    ledger.adjust_points(member, 120, "Welcome gift", ledger.SYSTEM)
    LoyaltyAccount.objects.filter(pk=member.pk).update(birthday_month=5, birthday_day=14)
    opted_in()
    checkout = shop.add_checkout(user_id=user.pk)
    assert tick(shop, T0 + timedelta(minutes=61)) == 1
    rows_before = list(LedgerEntry.objects.values_list("id", "points"))

    # when Saleor deletes the customer (the user link is nulled by the foreign key first)
    user.delete()
    assert privacy.forget_customer(user.pk, EMAIL.upper()) == 1

    # then no trace of the person is left in the club's tables
    member.refresh_from_db()
    assert member.email == f"account-{member.pk}@forgotten.invalid"
    assert (member.user_id, member.birthday_month, member.birthday_day) == (None, None, None)
    snapshot = AbandonedCheckout.objects.get(checkout_token=checkout.token)
    assert (snapshot.email, snapshot.phone, snapshot.user_id) == ("", "", None)
    assert (snapshot.state, snapshot.state_reason) == (RecoveryState.STOPPED, "customer_deleted")
    assert not CheckoutActivity.objects.filter(email__iexact=EMAIL).exists()
    assert not MessageLog.objects.exclude(recipient="").exists()
    # but the books are untouched and still agree with the cached balance
    assert list(LedgerEntry.objects.values_list("id", "points")) == rows_before
    assert member.balance == 120
    assert ledger.reconcile_account(member) == 0
    # and the reminder sequence never goes on
    assert tick(shop, T0 + timedelta(hours=25)) == 1 == len(mail.outbox)
    # and forgetting again changes nothing more
    assert privacy.forget_customer(user.pk, EMAIL) == 0
