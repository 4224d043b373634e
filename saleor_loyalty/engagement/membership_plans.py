"""Staff mark a Saleor variant as a paid membership plan; the public offer reads plans with Saleor's price.

Saleor is reached through an injected `VariantLookup` (the adapter's `membership_products.variants` in
production, a dict in the engine tier), so a plan is only made for a variant Saleor has, and the offer
shows the price Saleor charges in the channel, never a copy that could drift.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from prices import Money

from saleor_loyalty.core.money import fits_currency
from saleor_loyalty.core.validation import number, whole_number
from saleor_loyalty.exceptions import (
    CatalogItemNotFound,
    CurrencyMismatch,
    InvalidMembershipPlan,
    MembershipPlanInUse,
    MembershipPlanNotFound,
)
from saleor_loyalty.models import LoyaltyProgram, MembershipPlan, MembershipTerm, MembershipTermRow
from saleor_loyalty.tiers.settings import tier_in_program

MAX_GIFT_POINTS = 1_000_000
MAX_GIFT_CREDIT = Decimal(1_000_000)
MAX_REMINDER_DAYS = 60
MAX_NAME_LENGTH = 64
MAX_PLANS = 20


@dataclass(frozen=True)
class VariantFacts:
    """A Saleor variant as the offer shows it; `price` is None where the channel does not sell it."""

    variant_id: int
    name: str
    product_name: str
    price: Money | None


VariantLookup = Callable[[str, frozenset[int]], dict[int, VariantFacts]]  # (channel slug, variant ids)


def _require_lookup(variants: VariantLookup | None) -> VariantLookup:
    if variants is None:
        raise CatalogItemNotFound("The Saleor catalog cannot be reached here.", "variant_id")
    return variants


def _gift_credit(value, currency: str) -> Decimal:
    amount, given_currency = value
    if given_currency != currency:
        raise CurrencyMismatch(
            f"The channel's currency is {currency}, not {given_currency}.", "monthlyGiftCredit"
        )
    amount = number(amount, "monthly_gift_credit", InvalidMembershipPlan, Decimal(0), MAX_GIFT_CREDIT)
    if not fits_currency(amount, currency):
        raise InvalidMembershipPlan(f"More decimals than {currency} allows.", "monthly_gift_credit")
    return amount


def _clean(program: LoyaltyProgram, values: dict) -> dict:
    cleaned = {}
    for name, value in values.items():
        if name == "name":
            text = (value or "").strip()
            if not 0 < len(text) <= MAX_NAME_LENGTH:
                raise InvalidMembershipPlan(f"Must be 1-{MAX_NAME_LENGTH} characters.", "name")
            cleaned[name] = text
        elif name == "term":
            if value not in MembershipTerm.values:
                raise InvalidMembershipPlan("The term is monthly or yearly.", "term")
            cleaned[name] = value
        elif name == "tier_id":
            cleaned["tier"] = tier_in_program(program, value, "tier")
        elif name == "monthly_gift_points":
            cleaned[name] = whole_number(value, name, InvalidMembershipPlan, 0, MAX_GIFT_POINTS)
        elif name == "monthly_gift_credit":
            cleaned[name] = _gift_credit(value, program.currency)
        elif name == "reminder_days":
            cleaned[name] = whole_number(value, name, InvalidMembershipPlan, 0, MAX_REMINDER_DAYS)
        elif name == "is_active":
            cleaned[name] = bool(value)
        else:
            raise InvalidMembershipPlan(f"{name} cannot be set.", name)
    return cleaned


def set_plan(
    program: LoyaltyProgram, variant_id: int, variants: VariantLookup | None, **values
) -> MembershipPlan:
    """Create the variant's plan, or change it (an upsert keyed by the variant).

    A new plan needs a name, a term and a tier; changes apply to terms bought from then on and to the
    running membership's tier floor, gifts and reminder (what a member already paid for stays paid).
    """
    cleaned = _clean(program, values)
    existing = MembershipPlan.objects.filter(program=program, variant_id=variant_id).first()
    if existing is None:
        missing = [name for name in ("name", "term", "tier") if name not in cleaned]
        if missing:
            raise InvalidMembershipPlan(
                f"A new plan needs {missing[0]}.", missing[0].replace("tier", "tier_id")
            )
        if MembershipPlan.objects.filter(program=program).count() >= MAX_PLANS:
            raise InvalidMembershipPlan(f"At most {MAX_PLANS} plans per channel.", "variant_id")
        if variant_id not in _require_lookup(variants)(program.channel_slug, frozenset({variant_id})):
            raise CatalogItemNotFound("Saleor has no such product variant.", "variant_id")
        try:
            with transaction.atomic():
                return MembershipPlan.objects.create(program=program, variant_id=variant_id, **cleaned)
        except IntegrityError:  # marked at the same moment by someone else: change theirs instead
            existing = MembershipPlan.objects.get(program=program, variant_id=variant_id)
    with transaction.atomic():
        plan = MembershipPlan.objects.select_for_update().get(pk=existing.pk)
        for name, value in cleaned.items():
            setattr(plan, name, value)
        plan.save()
    return plan


def plan_in_program(program: LoyaltyProgram, plan_id: int) -> MembershipPlan:
    plan = MembershipPlan.objects.filter(program=program, pk=plan_id).select_related("tier").first()
    if plan is None:
        raise MembershipPlanNotFound("No such membership plan in this channel's program.")
    return plan


def delete_plan(program: LoyaltyProgram, plan_id: int) -> None:
    """Only a plan nobody bought: terms point at their plan for as long as the history is kept."""
    plan = plan_in_program(program, plan_id)
    if MembershipTermRow.objects.filter(plan=plan).exists():
        raise MembershipPlanInUse("Members bought this plan; set isActive false to stop offering it.")
    plan.delete()


def plans(program: LoyaltyProgram, *, offered_only: bool = False) -> list[MembershipPlan]:
    rows = MembershipPlan.objects.filter(program=program).select_related("program", "tier").order_by("pk")
    return list(rows.filter(is_active=True) if offered_only else rows)


@dataclass(frozen=True)
class MembershipOffer:
    """One plan as a storefront sells it: Saleor's price in the channel, the term and what it gives."""

    plan: MembershipPlan
    variant: VariantFacts | None

    @property
    def price(self) -> Money | None:
        return self.variant.price if self.variant else None


def offers(
    program: LoyaltyProgram, variants: VariantLookup | None, offered: list[MembershipPlan] | None = None
) -> list[MembershipOffer]:
    """The channel's offered plans with Saleor's prices (one catalog call for all); a plan whose variant
    Saleor no longer sells in the channel is left out, so a storefront never shows what it cannot sell.
    Nothing member-specific: safe for the public `club(channel)` page, which passes the plans it read
    with the page (`offered`) instead of querying them again."""
    offered = plans(program, offered_only=True) if offered is None else offered
    if not offered or variants is None or not program.gives_value():
        return []
    found = variants(program.channel_slug, frozenset(plan.variant_id for plan in offered))
    return [
        MembershipOffer(plan=plan, variant=found[plan.variant_id])
        for plan in offered
        if plan.variant_id in found and found[plan.variant_id].price is not None
    ]
