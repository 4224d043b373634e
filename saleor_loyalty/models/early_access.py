"""Early access: Saleor products and collections a program opens to some tiers before their public launch."""

from django.db import models
from django.db.models import F, Q

from saleor_loyalty.models.program import LoyaltyProgram


class EarlyAccessKind(models.TextChoices):
    PRODUCT = "product", "A Saleor product"
    COLLECTION = "collection", "A Saleor collection"


class EarlyAccessItem(models.Model):
    """One Saleor product or collection marked for early access in one program.

    Saleor's item is referenced by its numeric id, not by foreign key: the catalog is Saleor's, and
    the club never cascades into it. One row per (program, kind, id), so marking the same item
    again, or twice at once, changes that row instead of adding one.
    """

    program = models.ForeignKey(LoyaltyProgram, on_delete=models.CASCADE, related_name="early_access_items")
    kind = models.CharField(max_length=16, choices=EarlyAccessKind.choices)
    saleor_id = models.BigIntegerField(help_text="Saleor's numeric product or collection id.")
    starts_at = models.DateTimeField(
        null=True, blank=True, help_text="Members may see it from then; null = at once."
    )
    ends_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Public launch: from then it is no longer gated; null = until unmarked.",
    )
    minimum_tier = models.ForeignKey(
        "Tier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="early_access_items",
        help_text="Members of this tier or above may see it; null = tiers with the early-access benefit.",
    )
    marked_by = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program_id", "kind", "saleor_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind", "saleor_id"],
                name="loyalty_earlyaccessitem_program_item_uniq",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="loyalty_earlyaccessitem_window_chk",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EarlyAccessKind.values),
                name="loyalty_earlyaccessitem_kind_chk",
            ),
        ]

    def __str__(self):
        return f"Early access {self.kind} {self.saleor_id} in program {self.program_id}"
