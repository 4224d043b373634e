"""What the nightly reconciliation found: an account whose cache or card disagrees with its rows.

A finding is a record for staff, never a repair: the drift is repaired only by an explicit staff
action (`ledger.reconciliation.repair`), which writes a typed correction row. At most one open
finding exists per (account, check), a database constraint, so two workers (or two nights) that
see the same drift record it once.
"""

from django.db import models
from django.db.models import Q

from saleor_loyalty.models.ledger import LedgerEntry
from saleor_loyalty.models.program import LoyaltyAccount


class ReconciliationCheck(models.TextChoices):
    POINTS = "points", "Cached points balance vs the sum of the account's ledger rows"
    STORE_CREDIT = "store_credit", "Saleor card balance vs what the credit rows put on it, net of spending"


class ReconciliationFinding(models.Model):
    account = models.ForeignKey(
        LoyaltyAccount, on_delete=models.PROTECT, related_name="reconciliation_findings"
    )
    kind = models.CharField(max_length=16, choices=ReconciliationCheck.choices)
    expected = models.DecimalField(
        max_digits=16, decimal_places=4, help_text="What the rows say (points, or money on the card)."
    )
    found = models.DecimalField(
        max_digits=16, decimal_places=4, help_text="The cached balance, or the card's."
    )
    drift = models.DecimalField(max_digits=16, decimal_places=4, help_text="found - expected")
    detail = models.JSONField(default=dict, blank=True)
    found_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=16, blank=True, default="")
    resolved_by = models.CharField(max_length=255, blank=True, default="")
    correction = models.OneToOneField(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="reconciliation_finding"
    )

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind"],
                condition=Q(resolved_at__isnull=True),
                name="loyalty_reconciliation_one_open_uniq",
            ),
        ]

    def __str__(self):
        return f"{self.kind} drift {self.drift} on account {self.account_id}"
