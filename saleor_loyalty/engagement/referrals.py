"""A friend brings a friend: program rules, members' codes and links, and a friend applying a code.

The friend applies a member's code to their checkout (`apply_code`): the checks that can be made
before any order (own code, same email, an existing customer, a loop) refuse at once and write
nothing; otherwise the checkout's referral is recorded (one per checkout) and, where the program gives
a voucher, a single-use Saleor voucher is made for it and put on the checkout, unless the customer
typed a code of their own (never replaced: the welcome code is handed back to show them). What the
paid order then does is `referral_orders.py`; the reward after the pending period `referral_rewards.py`.
"""

import secrets
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Q

from saleor_loyalty.engagement.referral_facts import ReferralShop, friend_key
from saleor_loyalty.engagement.referral_fraud import Verdict, screen_before_order
from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.exceptions import CheckoutNotFound, LoyaltyError, NotYourCheckout
from saleor_loyalty.models import (
    FriendBenefit,
    LoyaltyAccount,
    LoyaltyProgram,
    Referral,
    ReferralCode,
    ReferralSettings,
    ReferralStatus,
    ReferrerReward,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: read aloud and typed without doubt
CODE_LENGTH = 8
MAX_CODE_INPUT = 32
MAX_POINTS = 1_000_000
MAX_MONEY = Decimal("1000000")


class ReferralsDisabled(LoyaltyError):
    """The channel's program has referrals switched off (or the program gives nothing now)."""

    code = LoyaltyErrorCode.UNSUPPORTED


class ReferralCodeNotFound(LoyaltyError):
    code = LoyaltyErrorCode.NOT_FOUND


class ReferralNotEligible(LoyaltyError):
    """A check refused the referral before any order; `reason_code` says which."""

    code = LoyaltyErrorCode.REFERRAL_NOT_ELIGIBLE

    def __init__(self, verdict: Verdict):
        super().__init__(verdict.reason, "code")
        self.reason_code = verdict.reason_code


class InvalidReferralSetting(LoyaltyError):
    code = LoyaltyErrorCode.INVALID


def settings_for(program: LoyaltyProgram) -> ReferralSettings:
    """The program's referral rules; a program that never set them has referrals off (the defaults)."""
    found = ReferralSettings.objects.filter(program=program).first()
    return found or ReferralSettings(program=program)


def _bounded_int(changes: dict, name: str, high: int) -> None:
    value = changes.get(name)
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high
    ):
        raise InvalidReferralSetting(f"Must be a whole number from 0 to {high}.", name)


def _money(changes: dict, name: str, allow_none: bool = False) -> None:
    if name not in changes or (allow_none and changes[name] is None):
        return
    try:
        value = Decimal(changes[name])
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidReferralSetting("Must be an amount.", name) from None
    if not value.is_finite() or not 0 <= value <= MAX_MONEY or value != value.quantize(Decimal("0.01")):
        raise InvalidReferralSetting(f"Must be an amount from 0 to {MAX_MONEY}, at most 2 decimals.", name)
    changes[name] = value


def check_link_template(template: str) -> str:
    """A storefront URL (http or https) with `{code}` exactly once; empty means no link."""
    template = (template or "").strip()
    if not template:
        return ""
    if len(template) > 500:
        raise InvalidReferralSetting("At most 500 characters.", "link_template")
    parts = urlsplit(template.replace("{code}", "CODE"))
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in template):
        raise InvalidReferralSetting("Give an http or https storefront URL.", "link_template")
    if template.count("{code}") != 1 or template.replace("{code}", "").count("{") + template.count("}") > 1:
        raise InvalidReferralSetting("The URL must contain {code} exactly once.", "link_template")
    return template


def update_settings(program: LoyaltyProgram, **changes) -> ReferralSettings:
    """Staff change the rules (fields left out stay); checked whole before anything is saved."""
    for name, high in (("referrer_points", MAX_POINTS), ("friend_points", MAX_POINTS)):
        _bounded_int(changes, name, high)
    _bounded_int(changes, "pending_days", 365)
    _bounded_int(changes, "monthly_cap", 1000)
    for name in ("friend_value", "min_order_total", "referrer_credit"):
        _money(changes, name)
    _money(changes, "hold_order_total_over", allow_none=True)
    if "friend_benefit" in changes and changes["friend_benefit"] not in FriendBenefit.values:
        raise InvalidReferralSetting("Unknown benefit.", "friend_benefit")
    if "referrer_reward" in changes and changes["referrer_reward"] not in ReferrerReward.values:
        raise InvalidReferralSetting("Unknown reward.", "referrer_reward")
    if "link_template" in changes:
        changes["link_template"] = check_link_template(changes["link_template"])
    with transaction.atomic():
        LoyaltyProgram.objects.select_for_update().get(pk=program.pk)
        current = settings_for(program)
        for name, value in changes.items():
            setattr(current, name, value)
        if current.friend_benefit == FriendBenefit.VOUCHER_PERCENT and not 0 < current.friend_value <= 100:
            raise InvalidReferralSetting(
                "A percentage voucher gives more than 0 and at most 100 %.", "friend_value"
            )
        if current.friend_benefit == FriendBenefit.VOUCHER_FIXED and current.friend_value <= 0:
            raise InvalidReferralSetting("A fixed voucher gives more than 0.", "friend_value")
        if current.referrer_reward == ReferrerReward.STORE_CREDIT and current.referrer_credit <= 0:
            raise InvalidReferralSetting("A store-credit reward gives more than 0.", "referrer_credit")
        current.save()
    return current


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_for(account: LoyaltyAccount) -> str:
    """The member's code, made on first need; a (vanishingly rare) collision draws again."""
    existing = ReferralCode.objects.filter(account=account).values_list("code", flat=True).first()
    if existing:
        return existing
    for _ in range(5):
        try:
            with transaction.atomic():
                return ReferralCode.objects.get_or_create(account=account, defaults={"code": _new_code()})[
                    0
                ].code
        except IntegrityError:
            continue  # another member's code: draw again (a concurrent first call for this account wins above)
    raise LoyaltyError("Could not make a referral code; try again.")


def link_for(settings: ReferralSettings, code: str) -> str | None:
    return settings.link_template.replace("{code}", code) if settings.link_template else None


def normalize_code(code: str) -> str:
    """What people type: any case, with spaces or dashes; anything not from the alphabet is no code."""
    if not isinstance(code, str) or len(code) > MAX_CODE_INPUT:
        return ""
    cleaned = code.replace("-", "").replace(" ", "").strip().upper()
    return cleaned if cleaned and all(c in CODE_ALPHABET for c in cleaned) else ""


def find_code(program: LoyaltyProgram, code: str) -> ReferralCode:
    found = (
        ReferralCode.objects.select_related("account")
        .filter(code=normalize_code(code), account__program=program)
        .first()
        if normalize_code(code)
        else None
    )
    if found is None or found.account.merged_into_id is not None:
        raise ReferralCodeNotFound("No such referral code in this shop.", "code")
    return found


def _authorize_checkout(checkout, requestor) -> None:
    """A customer's checkout is theirs alone; a guest checkout is whoever holds its token (as in Saleor)."""
    if checkout.user_id is not None and requestor.user_id != checkout.user_id:
        raise NotYourCheckout("This checkout belongs to another customer.", "checkout_id")


def _welcome_voucher(referral: Referral, settings: ReferralSettings, shop: ReferralShop) -> None:
    if settings.friend_benefit not in (FriendBenefit.VOUCHER_PERCENT, FriendBenefit.VOUCHER_FIXED):
        return
    if not referral.voucher_code:
        fixed = settings.friend_benefit == FriendBenefit.VOUCHER_FIXED
        unit = referral.program.currency if fixed else "%"
        referral.voucher_code = shop.create_welcome_voucher(
            referral.program.channel_slug,
            fixed,
            settings.friend_value,
            f"Loyalty club · welcome {settings.friend_value.normalize():f} {unit} (referral {referral.pk})",
        )
        referral.save(update_fields=["voucher_code", "updated_at"])


def apply_code(program: LoyaltyProgram, checkout_token, code: str, requestor, shop: ReferralShop):
    """The friend's checkout gets the member's code (and the welcome voucher where the program gives one).

    Returns (referral, voucher_applied). Repeating the call is harmless: one referral per checkout, one
    voucher per referral; another code on the same checkout replaces the referrer while no order counted.
    """
    settings = settings_for(program)
    if not settings.enabled or not program.gives_value():
        raise ReferralsDisabled("Referrals are not offered in this channel.")
    checkout = shop.checkout(checkout_token) if shop is not None else None
    if checkout is None or checkout.channel_slug != program.channel_slug:
        raise CheckoutNotFound("No such checkout in this channel.", "checkout_id")
    _authorize_checkout(checkout, requestor)
    owner = find_code(program, code)
    verdict = screen_before_order(program, owner.account, checkout, shop)
    if not verdict.ok:
        raise ReferralNotEligible(verdict)
    with transaction.atomic():
        referral = _upsert(program, owner, checkout)
        _welcome_voucher(referral, settings, shop)
    applied = False
    if referral.voucher_code:
        applied = checkout.voucher_code == referral.voucher_code
        if not applied and not checkout.voucher_is_customers:
            applied = shop.put_on_checkout(checkout.token, referral.voucher_code)
    return referral, applied


def _upsert(program: LoyaltyProgram, owner: ReferralCode, checkout) -> Referral:
    friend = {
        "friend_user_id": checkout.user_id,
        "friend_email": (checkout.email or "").strip().lower(),
        "friend_key": friend_key(checkout.email),
        "friend_name": (checkout.first_name or "")[:64],
    }
    try:
        with transaction.atomic():
            referral, created = Referral.objects.get_or_create(
                program=program,
                checkout_token=checkout.token,
                defaults={"referrer": owner.account, "code": owner.code, **friend},
            )
    except IntegrityError:  # a concurrent first apply on the same checkout committed first
        created = False
    if created:
        return referral
    referral = Referral.objects.select_for_update().get(program=program, checkout_token=checkout.token)
    if referral.status != ReferralStatus.INVITED:
        if referral.code == owner.code:
            return referral
        raise ReferralNotEligible(
            Verdict.reject("already_counted", "This checkout's order already counted for a referral.")
        )
    changed = {"referrer": owner.account, "code": owner.code, **{k: v for k, v in friend.items() if v}}
    for name, value in changed.items():
        setattr(referral, name, value)
    referral.save(update_fields=[*changed, "updated_at"])
    return referral


def welcome_voucher_is_theirs(
    program: LoyaltyProgram, code: str, checkout_token, user_id: int | None, email: str
) -> bool:
    """A welcome voucher is the referred friend's alone (checked when the order is created, like a member's
    tier code): on the checkout it was made for, or on the friend's own new checkout, by account or by
    canonical email. A leaked code, or one whose referral the club does not know, fails for anyone else."""
    referral = Referral.objects.filter(program=program, voucher_code=code).first() if code else None
    if referral is None:
        return False
    if checkout_token is not None and str(referral.checkout_token) == str(checkout_token):
        return True
    if referral.friend_user_id is not None and user_id is not None:
        return referral.friend_user_id == user_id
    key = friend_key(email) if email else ""
    return bool(key) and key == referral.friend_key


def forget_friend(user_id: int, email: str) -> int:
    """A deleted customer's name and email leave the referrals they were the friend in (the hashed key,
    which only counts them once, and the story stay); returns how many referrals were touched."""
    match = (
        Q(friend_user_id=user_id) | Q(friend_key=friend_key(email)) if email else Q(friend_user_id=user_id)
    )
    return Referral.objects.filter(match).update(friend_email="", friend_name="", friend_user_id=None)
