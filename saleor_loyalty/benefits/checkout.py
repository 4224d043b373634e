"""Tier benefits inside Saleor's checkout: the tier discount as a member-bound voucher code, free
shipping as shipping methods only free-shipping tiers may complete with.

Saleor has no customer predicate on vouchers, promotions or shipping methods, and a checkout holds
one voucher. So the club:
- keeps one Saleor voucher per discount tier (ENTIRE_ORDER, percentage, marked as the club's) and
  gives each member their own random code on it, applied to their checkouts automatically;
- never replaces a voucher the customer chose themselves (one voucher per checkout is Saleor's rule);
- lets staff reserve shipping methods (priced 0) for free-shipping tiers, and picks one for a
  free-shipping member whose checkout has no delivery chosen yet;
- re-checks both at order creation (`guard`), because a code or a method is a bearer instrument
  until then: a leaked code or a reserved method fails for anyone the club did not grant it to (a
  referral's welcome voucher is checked beside it, `engagement.order_guard`).
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.db import transaction

from saleor_loyalty.exceptions import ClubCodeRefused, ClubShippingRefused
from saleor_loyalty.members.summary import find_account
from saleor_loyalty.models import (
    ClubShippingMethod,
    LoyaltyAccount,
    LoyaltyProgram,
    MemberVoucherCode,
    Tier,
    TierVoucher,
)
from saleor_loyalty.tiers.ladder import current_tier, ladder

CODE_PREFIX = "CLUB-"


class CheckoutVouchers(Protocol):
    """Saleor's vouchers as the club needs them (`saleor_adapter.SaleorVouchers`)."""

    def create_tier_voucher(self, channel_slug: str, name: str, percent: Decimal) -> int:
        """A percentage ENTIRE_ORDER voucher listed in the channel and marked as the club's."""

    def sync_voucher(self, voucher_id: int, channel_slug: str, name: str, percent: Decimal) -> None:
        """Idempotent: the voucher's name (what orders show) and its channel value follow the tier."""

    def add_code(self, voucher_id: int, code: str) -> None: ...


@dataclass(frozen=True)
class CheckoutBenefitFacts:
    """What the club reads off a checkout, as Saleor holds it."""

    channel_slug: str
    user_id: int | None
    voucher_code: str | None
    voucher_is_club: bool
    voucher_percent: Decimal | None
    shipping_method_id: int | None
    delivery_chosen: bool = False  # a shipping method or a collection point
    ships: bool = False  # has a shipping address and lines that need shipping
    voucher_is_welcome: bool = False  # a referral's welcome voucher (`engagement.order_guard`)
    checkout_token: str | None = None
    email: str = ""


@dataclass(frozen=True)
class Keep:
    pass


@dataclass(frozen=True)
class Apply:
    code: str


@dataclass(frozen=True)
class Remove:
    pass


def _voucher_name(tier: Tier) -> str:
    return f"Loyalty club · {tier.name} {tier.discount_percent.normalize():f}%"


def tier_voucher_id(tier: Tier, vouchers: CheckoutVouchers) -> int:
    """The tier's Saleor voucher, kept at the tier's percent; made once, under the tier row's lock."""
    existing = TierVoucher.objects.filter(tier=tier).values_list("saleor_voucher_id", flat=True).first()
    if existing is None:
        with transaction.atomic():
            locked = Tier.objects.select_for_update().get(pk=tier.pk)
            existing = (
                TierVoucher.objects.filter(tier=locked).values_list("saleor_voucher_id", flat=True).first()
            )
            if existing is None:
                voucher_id = vouchers.create_tier_voucher(
                    tier.program.channel_slug, _voucher_name(locked), locked.discount_percent
                )
                TierVoucher.objects.create(tier=locked, saleor_voucher_id=voucher_id)
                return voucher_id
    vouchers.sync_voucher(existing, tier.program.channel_slug, _voucher_name(tier), tier.discount_percent)
    return existing


def member_code(account: LoyaltyAccount, tier: Tier, vouchers: CheckoutVouchers) -> str:
    """The member's own code for this tier; the (account, tier) unique key makes a concurrent second
    request wait for the first and return its code."""
    voucher_id = tier_voucher_id(tier, vouchers)
    with transaction.atomic():
        row, created = MemberVoucherCode.objects.get_or_create(
            account=account, tier=tier, defaults={"code": CODE_PREFIX + secrets.token_hex(8).upper()}
        )
        if created:
            vouchers.add_code(voucher_id, row.code)
    return row.code


def _member_and_tier(
    program: LoyaltyProgram, user_id: int | None
) -> tuple[LoyaltyAccount | None, Tier | None]:
    if user_id is None:
        return None, None
    account = find_account(program, user_id=user_id)
    return account, current_tier(account, ladder(program)) if account is not None else None


def _voucher_plan(
    account: LoyaltyAccount | None, tier: Tier | None, facts: CheckoutBenefitFacts, vouchers: CheckoutVouchers
) -> Keep | Apply | Remove:
    """What the checkout's voucher should become: the member's tier code, or nothing of the club's.

    A checkout already carrying the member's code at the tier's percent costs one read: Saleor's voucher
    is only synced and a code only issued when the code has to be (re)applied."""
    if facts.voucher_code and not facts.voucher_is_club:
        return Keep()
    if tier is None or tier.discount_percent <= 0:
        return Remove() if facts.voucher_code else Keep()
    held = MemberVoucherCode.objects.filter(account=account, tier=tier).values_list("code", flat=True).first()
    if held is not None and facts.voucher_code == held and facts.voucher_percent == tier.discount_percent:
        return Keep()
    return Apply(
        member_code(account, tier, vouchers)
    )  # new, or re-applied so Saleor re-prices a changed percent


@dataclass(frozen=True)
class CheckoutPlan:
    """The club's answer to one checkout change: the voucher, and (lazily) a reserved method to pick."""

    voucher: Keep | Apply | Remove
    facts: CheckoutBenefitFacts
    program: LoyaltyProgram | None = None
    tier: Tier | None = None

    def method_to_pick(self, available_method_ids: Callable[[], list[int]]) -> int | None:
        """The reserved method a free-shipping member's checkout gets when it ships and no delivery is
        chosen yet; a delivery the customer chose is never replaced. `available_method_ids` asks Saleor
        (costly), after the voucher is applied, only when everything else already says yes."""
        facts = self.facts
        if self.tier is None or not self.tier.free_shipping or facts.delivery_chosen or not facts.ships:
            return None
        reserved = set(club_shipping_method_ids(self.program))
        if not reserved:
            return None
        return next((pk for pk in available_method_ids() if pk in reserved), None)


def guard(program: LoyaltyProgram, facts: CheckoutBenefitFacts) -> None:
    """Refuse, at order creation, a club benefit the checkout's customer does not hold now.

    Every completion passes here, so the member is looked up only when a club benefit is on the checkout."""
    reserved_method = (
        facts.shipping_method_id is not None
        and ClubShippingMethod.objects.filter(
            program=program, saleor_shipping_method_id=facts.shipping_method_id
        ).exists()
    )
    if not facts.voucher_is_club and not reserved_method:
        return
    if not program.gives_value():
        refused = ClubCodeRefused if facts.voucher_is_club else ClubShippingRefused
        raise refused("The club's benefits are paused in this channel.")
    account, tier = _member_and_tier(program, facts.user_id)
    if facts.voucher_is_club:
        owned = (
            MemberVoucherCode.objects.select_related("account")
            .filter(code=facts.voucher_code, account__program=program)
            .first()
        )
        if owned is None or account is None or owned.account_id != account.pk:
            raise ClubCodeRefused("This club code belongs to another member.")
        if tier is None or (facts.voucher_percent or Decimal(0)) > tier.discount_percent:
            raise ClubCodeRefused("Your club discount has changed; please review the checkout.")
    if reserved_method and (tier is None or not tier.free_shipping):
        eligible = ", ".join(t.name for t in ladder(program) if t.free_shipping) or "no tier"
        raise ClubShippingRefused(f"This shipping method is for club members of {eligible}.")


def set_club_shipping_methods(program: LoyaltyProgram, method_ids: list[int]) -> list[int]:
    """Replace the program's reserved methods (existence is checked by the caller against Saleor)."""
    wanted = sorted(set(method_ids))
    with transaction.atomic():
        LoyaltyProgram.objects.select_for_update().get(pk=program.pk)
        ClubShippingMethod.objects.filter(program=program).exclude(
            saleor_shipping_method_id__in=wanted
        ).delete()
        ClubShippingMethod.objects.bulk_create(
            [ClubShippingMethod(program=program, saleor_shipping_method_id=pk) for pk in wanted],
            ignore_conflicts=True,
        )
    return wanted


def club_shipping_method_ids(program: LoyaltyProgram) -> list[int]:
    return sorted(
        ClubShippingMethod.objects.filter(program=program).values_list("saleor_shipping_method_id", flat=True)
    )


def _program(channel_slug: str) -> LoyaltyProgram | None:
    return LoyaltyProgram.objects.filter(channel_slug=channel_slug).first()


def plan_checkout(facts: CheckoutBenefitFacts, vouchers: CheckoutVouchers) -> CheckoutPlan:
    """Entry point for every checkout change Saleor reports (a hot path: it runs inside Saleor's request).
    The member and tier are looked up once; a guest's code-less checkout costs no query."""
    if facts.user_id is None and not facts.voucher_is_club:
        return CheckoutPlan(Keep(), facts)
    program = _program(facts.channel_slug)
    if program is None or not program.gives_value():  # switched off: no club code, no reserved method
        return CheckoutPlan(Remove() if facts.voucher_is_club else Keep(), facts)
    account, tier = _member_and_tier(program, facts.user_id)
    with transaction.atomic():
        voucher = _voucher_plan(account, tier, facts, vouchers)
    return CheckoutPlan(voucher, facts, program, tier)


def check_order_creation(facts: CheckoutBenefitFacts) -> None:
    """The tier code and reserved shipping at Saleor's last look before an order is created (the plugin
    reaches it through `engagement.order_guard`); raises `ClubBenefitRefused`."""
    if not facts.voucher_is_club and facts.shipping_method_id is None:
        return
    program = _program(facts.channel_slug)
    if program is None:
        if facts.voucher_is_club:
            raise ClubCodeRefused("This club code is not valid in this channel.")
        return
    guard(program, facts)
