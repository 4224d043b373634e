"""Forgetting a deleted customer: the club keeps its books, not the person.

When Saleor deletes a customer, their accounts keep every ledger, credit and tier row (the
liability and the audit trail must still add up) but lose what identifies them: the email, the
birthday, the addresses in checkout snapshots and message logs. Reminders still waiting for them
are cancelled. Consent events already hold only a hash, and stay as proof of what was agreed.
Idempotent: forgetting twice changes nothing more.
"""

from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat

from saleor_loyalty.ledger.accounts import normalize_email
from saleor_loyalty.messages.consent import subject_hash
from saleor_loyalty.models import (
    AbandonedCheckout,
    CheckoutActivity,
    LoyaltyAccount,
    Medium,
    MessageLog,
    MessageStatus,
    RecoveryState,
)

FORGOTTEN_DOMAIN = "@forgotten.invalid"
FORGOTTEN_REASON = "customer_deleted"


def forget_customer(user_id: int | None, email: str) -> int:
    """Anonymise what the club holds on a deleted customer; returns how many accounts were forgotten."""
    email = normalize_email(email)
    person = Q(user_id=user_id) if user_id is not None else Q(pk__in=[])
    if email:
        person |= Q(email__iexact=email)
    with transaction.atomic():
        snapshots = AbandonedCheckout.objects.filter(person)
        phones = {phone for phone in snapshots.values_list("phone", flat=True) if phone}
        snapshots.filter(state=RecoveryState.ACTIVE).update(
            state=RecoveryState.STOPPED, state_reason=FORGOTTEN_REASON
        )
        snapshots.update(email="", phone="", user_id=None)
        CheckoutActivity.objects.filter(person).update(email="", user_id=None)

        subjects = {subject_hash(Medium.SMS, phone) for phone in phones}
        if email:
            subjects.add(subject_hash(Medium.EMAIL, email))
        messages = MessageLog.objects.filter(subject_hash__in=subjects)
        messages.filter(status=MessageStatus.DEFERRED).update(
            status=MessageStatus.CANCELLED, reason=FORGOTTEN_REASON, retry_at=None
        )
        messages.exclude(recipient="").update(recipient="", context={})

        accounts = LoyaltyAccount.objects.filter(person).exclude(email__endswith=FORGOTTEN_DOMAIN)
        return accounts.update(
            email=Concat(Value("account-"), Cast("id", CharField()), Value(FORGOTTEN_DOMAIN)),
            user=None,
            birthday_month=None,
            birthday_day=None,
            birthday_set_at=None,
        )
