"""How tier benefits reach Saleor's checkout: one voucher per tier, one code per member and tier,
and the shipping methods staff reserve for free-shipping tiers.

Saleor vouchers are bearer codes; these rows are what lets the club refuse a code that reaches a
checkout of anyone but its member (see `checkout_benefits.guard`).
"""

from django.db import models

from saleor_loyalty.models.program import LoyaltyAccount, LoyaltyProgram
from saleor_loyalty.models.tiers import Tier


class TierVoucher(models.Model):
    """The Saleor voucher (ENTIRE_ORDER, percentage) that carries a tier's discount."""

    tier = models.OneToOneField(Tier, on_delete=models.CASCADE, related_name="voucher")
    saleor_voucher_id = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)


class MemberVoucherCode(models.Model):
    """A member's own code on their tier's voucher; a new tier means a new code, never a moved one."""

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.CASCADE, related_name="voucher_codes")
    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="member_codes")
    code = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "tier"], name="loyalty_membercode_account_tier_uniq"),
        ]


class ClubShippingMethod(models.Model):
    """A Saleor shipping method (priced 0 by the merchant) that only free-shipping tiers may complete with."""

    program = models.ForeignKey(
        LoyaltyProgram, on_delete=models.CASCADE, related_name="club_shipping_methods"
    )
    saleor_shipping_method_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "saleor_shipping_method_id"],
                name="loyalty_clubshipping_program_method_uniq",
            ),
        ]
