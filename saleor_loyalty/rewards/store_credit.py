"""A member's store credit: the only writer of `CreditEntry` rows and of the member's Saleor card.

The money itself lives on a Saleor gift card assigned to the member (so Saleor's checkout spends it
and nobody else can); the club keeps its own append-only record of why every amount went on or
off that card. Both are written in the same database transaction, under the member's account
lock, so a row exists exactly when its card movement happened.

Saleor is reached only through a `StoreCreditCards` port (the Saleor adapter implements it; the
engine tier passes an in-memory one), so the engine's rules run without Saleor.
"""

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from prices import Money

from saleor_loyalty.core.facts import CardPayment, CheckoutFacts
from saleor_loyalty.core.money import quantize_money
from saleor_loyalty.models import CreditEntry, CreditKind, LoyaltyAccount, StoreCreditCard

CREDIT_SOURCE_UNIQUE = "loyalty_creditentry_source_uniq"
ONE_CREDIT_PER_EARN = "loyalty_creditentry_one_credit_per_earn"
CARD_UNIQUE = "loyalty_storecredit_user_currency_uniq"


class StoreCreditCards(Protocol):
    """What the engine needs from Saleor's gift cards and checkouts."""

    def create_card(self, user_id: int, email: str, currency: str) -> int:
        """A new active card with zero balance, assigned to the user; returns its id."""

    def adjust(self, gift_card_id: int, delta: Decimal, note: str) -> Decimal:
        """Move the card's balance by `delta` under the card's row lock, never below zero; the delta applied."""

    def balance(self, gift_card_id: int) -> Decimal: ...

    def balances(self, gift_card_ids: list[int]) -> dict[int, Decimal]:
        """Balances of these cards in one read (a card Saleor no longer has is left out)."""

    def exists(self, gift_card_id: int) -> bool:
        """False once staff deleted the card in Saleor."""

    def code(self, gift_card_id: int) -> str:
        """The card's code, which the member enters (or the storefront passes) at checkout."""

    def apply_to_checkout(self, gift_card_id: int, checkout_token: UUID, key: str) -> CardPayment | None:
        """Put the card on the checkout: as `checkoutAddPromoCode` does where the channel allows legacy
        gift-card use (None), else as an authorized gift-card transaction, idempotent on `key`."""

    def card_payment(self, key: str) -> CardPayment | None:
        """The gift-card transaction `apply_to_checkout` made for `key`, as it is now."""

    def checkout(self, checkout_token: UUID) -> CheckoutFacts | None:
        """The open checkout, or None when unknown or already completed."""

    def spent_on_order(self, gift_card_id: int, order_id: UUID) -> Decimal:
        """What Saleor took off the card at order creation (legacy use; not gift-card transactions)."""

    def spent(self, gift_card_id: int) -> Decimal:
        """What Saleor itself took off the card for orders (legacy use and charged gift-card
        transactions), net of what it gave back on refunds: reconciliation's other side of the card."""


def _constraint(error: IntegrityError) -> str | None:
    return getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)


def find_card(user_id: int | None, currency: str) -> StoreCreditCard | None:
    if user_id is None:
        return None
    return StoreCreditCard.objects.filter(user_id=user_id, currency=currency).first()


def card_for(account: LoyaltyAccount, cards: StoreCreditCards) -> StoreCreditCard:
    """The member's card in the program's currency, created (assigned to them) on first need.

    A card staff deleted in Saleor is replaced by a new one, so crediting never gets stuck on it
    (a card staff only deactivated is kept: that is their decision to undo).
    """
    currency = account.program.currency
    card = find_card(account.user_id, currency)
    if card is not None:
        if not cards.exists(card.gift_card_id):
            card.gift_card_id = cards.create_card(account.user_id, account.email, currency)
            card.save(update_fields=["gift_card_id"])
        return card
    try:
        with transaction.atomic():
            gift_card_id = cards.create_card(account.user_id, account.email, currency)
            return StoreCreditCard.objects.create(
                user_id=account.user_id, currency=currency, gift_card_id=gift_card_id
            )
    except IntegrityError as error:
        if _constraint(error) != CARD_UNIQUE:
            raise
    return StoreCreditCard.objects.get(user_id=account.user_id, currency=currency)


def append(
    account: LoyaltyAccount, *, kind: str, amount: Decimal, source_key: str, **fields
) -> CreditEntry | None:
    """Insert one credit row for a locked account; None when that source was already recorded."""
    try:
        with transaction.atomic():
            return CreditEntry.objects.create(
                account=account,
                kind=kind,
                amount=amount,
                currency=account.program.currency,
                source_key=source_key,
                **fields,
            )
    except IntegrityError as error:
        if _constraint(error) in (CREDIT_SOURCE_UNIQUE, ONE_CREDIT_PER_EARN):
            return None
        raise


def move_card_and_record(
    account: LoyaltyAccount,
    card: StoreCreditCard,
    cards: StoreCreditCards,
    *,
    delta: Decimal,
    note: str,
    **row,
) -> CreditEntry | None:
    """Move the card and write the row in one savepoint: a duplicate row undoes the card move too.

    A deduction the card cannot cover (the member already spent it) is recorded as debt.
    """
    try:
        with transaction.atomic():
            applied = cards.adjust(card.gift_card_id, delta, note) if delta else Decimal(0)
            if delta < 0:
                row["debt_amount"] = row.get("debt_amount", Decimal(0)) + (applied - delta)
            return CreditEntry.objects.create(
                account=account,
                currency=account.program.currency,
                card_amount=applied,
                **row,
            )
    except IntegrityError as error:
        if _constraint(error) in (CREDIT_SOURCE_UNIQUE, ONE_CREDIT_PER_EARN):
            return None
        raise


def outstanding_debt(account: LoyaltyAccount) -> Decimal:
    """Credit the member owes after reversals found the card already spent, net of what was repaid."""
    return debts_of([account.pk])[account.pk]


def debts_of(account_ids) -> dict[int, Decimal]:
    """`outstanding_debt` of each account, in one query."""
    totals = dict.fromkeys(account_ids, Decimal(0))
    rows = CreditEntry.objects.filter(account_id__in=list(totals)).values("account_id")
    for row in rows.annotate(total=Sum("debt_amount")):
        totals[row["account_id"]] = row["total"] or Decimal(0)
    return {account_id: max(total, Decimal(0)) for account_id, total in totals.items()}


def pending_cashback(account: LoyaltyAccount) -> Decimal:
    """Cashback earned (net of its reversals) that is not on the card yet, including earns of guest
    accounts merged into this one (their credit and reversals are written to this account)."""
    return pending_cashback_of([account.pk])[account.pk]


def pending_cashback_of(account_ids) -> dict[int, Decimal]:
    """`pending_cashback` of each account, in two queries (the merged guests, then the sums)."""
    holder_of = {account_id: account_id for account_id in account_ids}
    holder_of.update(
        LoyaltyAccount.objects.filter(merged_into_id__in=list(holder_of)).values_list("pk", "merged_into_id")
    )
    holders = list(holder_of)
    credited = CreditEntry.objects.filter(account_id__in=holders, kind=CreditKind.CASHBACK_CREDIT).values(
        "earn_id"
    )
    rows = (
        CreditEntry.objects.filter(account_id__in=holders)
        .filter(
            Q(kind=CreditKind.CASHBACK_EARN) & ~Q(pk__in=credited)
            | Q(kind=CreditKind.CASHBACK_REVERSAL) & ~Q(earn_id__in=credited)
        )
        .values("account_id")
        .annotate(total=Sum("amount"))
    )
    totals = dict.fromkeys(account_ids, Decimal(0))
    for row in rows:
        totals[holder_of[row["account_id"]]] += row["total"] or Decimal(0)
    return {account_id: max(total, Decimal(0)) for account_id, total in totals.items()}


@dataclass(frozen=True)
class CreditSummary:
    balance: Money
    pending_cashback: Money
    debt: Money
    code: str | None = None


def summarize(account: LoyaltyAccount | None, currency: str, cards: StoreCreditCards | None) -> CreditSummary:
    """What is on the member's card now (read from Saleor), what cashback is on its way, what is owed."""
    if account is None:
        zero = quantize_money(Decimal(0), currency)
        return CreditSummary(balance=zero, pending_cashback=zero, debt=zero)
    summaries, card_of = _summaries([account], currency, cards)
    card_id = card_of.get(account.user_id)
    code = cards.code(card_id) if card_id is not None and cards is not None else None
    return replace(summaries[account.pk], code=code)


def summarize_page(accounts, currency: str, cards: StoreCreditCards | None) -> dict[int, CreditSummary]:
    """`summarize` of every account of a page in a fixed number of queries (without the card codes,
    which only the member themself is shown)."""
    return _summaries(accounts, currency, cards)[0]


def _summaries(accounts, currency: str, cards: StoreCreditCards | None) -> tuple[dict, dict]:
    ids = [account.pk for account in accounts]
    users = [account.user_id for account in accounts if account.user_id is not None]
    card_of = dict(
        StoreCreditCard.objects.filter(user_id__in=users, currency=currency).values_list(
            "user_id", "gift_card_id"
        )
    )
    balances = cards.balances(list(card_of.values())) if cards is not None and card_of else {}
    pending, debts = pending_cashback_of(ids), debts_of(ids)
    summaries = {
        account.pk: CreditSummary(
            balance=quantize_money(balances.get(card_of.get(account.user_id), Decimal(0)), currency),
            pending_cashback=quantize_money(pending[account.pk], currency),
            debt=quantize_money(debts[account.pk], currency),
        )
        for account in accounts
    }
    return summaries, card_of
