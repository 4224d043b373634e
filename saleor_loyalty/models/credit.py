"""Store credit: members' Saleor gift cards and the append-only credit ledger."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from saleor_loyalty.models.ledger import AppendOnlyError
from saleor_loyalty.models.program import LoyaltyAccount


class StoreCreditCard(models.Model):
    """A member's personal Saleor gift card for one currency (by id: the card itself lives in Saleor).

    Unique per (user, currency), so two workers crediting the same member at once cannot create two
    cards: the loser's insert fails and its Saleor card is rolled back with it.
    """

    user_id = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    gift_card_id = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "currency"], name="loyalty_storecredit_user_currency_uniq"
            ),
        ]

    def __str__(self):
        return f"Store credit card {self.gift_card_id} of user {self.user_id} ({self.currency})"


class CreditKind(models.TextChoices):
    CASHBACK_EARN = "cashback_earn", "Cashback earned on a paid order, pending until available_at"
    CASHBACK_CREDIT = "cashback_credit", "Pending cashback put on the member's card"
    CASHBACK_REVERSAL = "cashback_reversal", "Cashback taken back by a refund or cancellation"
    REDEMPTION = "redemption", "Points turned into credit on the member's card"
    CARD_RETURN = "card_return", "Card money spent on an order, given back after a cancellation or refund"
    BIRTHDAY_GIFT = "birthday_gift", "The tier's birthday credit put on the member's card"
    ANNIVERSARY_GIFT = "anniversary_gift", "Store credit for a year in the club"
    MEMBERSHIP_GIFT = "membership_gift", "A paid membership plan's monthly credit put on the member's card"
    REFERRAL_REWARD = (
        "referral_reward",
        "Store credit for a friend's first order that passed its pending period",
    )
    REFERRAL_REVERSAL = "referral_reversal", "Referral credit taken back: the friend's order was refunded"


class CreditEntry(models.Model):
    """One fact about a member's store credit. Append-only, like `LedgerEntry`.

    A separate ledger (not more points kinds) because credit is money in a currency, not points,
    and because it tracks two things the points ledger has no place for: what is on the Saleor
    card (`card_amount`) and what the member owes after a reversal found the card spent (`debt_amount`).
    `amount` is the change of the member's credit claim; pending cashback is the sum of `amount` of
    earns (and their reversals) that have no credit row yet.
    """

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="credit_entries")
    kind = models.CharField(max_length=32, choices=CreditKind.choices)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=4)
    card_amount = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal("0"))
    debt_amount = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal("0"))
    points = models.IntegerField(default=0, help_text="Points a redemption converted.")
    source_key = models.CharField(max_length=200)
    earn = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followups",
        help_text="The cashback earn a credit or reversal belongs to.",
    )
    order_id = models.UUIDField(null=True, blank=True, db_index=True)
    checkout_token = models.UUIDField(null=True, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    available_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["kind", "available_at", "id"], name="loyalty_credit_due_idx"),
            models.Index(fields=["account", "-id"], name="loyalty_credit_account_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_key"], name="loyalty_creditentry_source_uniq"),
            models.UniqueConstraint(
                fields=["earn"],
                condition=Q(kind="cashback_credit"),
                name="loyalty_creditentry_one_credit_per_earn",
            ),
            models.CheckConstraint(
                condition=~Q(kind="cashback_earn") | (Q(amount__gt=0) & Q(earn__isnull=True)),
                name="loyalty_creditentry_earn_shape_chk",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["cashback_credit", "cashback_reversal"]) | Q(earn__isnull=False),
                name="loyalty_creditentry_followup_shape_chk",
            ),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Credit rows are never changed; write a correcting row instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Credit rows are never deleted.")

    def __str__(self):
        return f"{self.kind} {self.amount} {self.currency} ({self.source_key})"
