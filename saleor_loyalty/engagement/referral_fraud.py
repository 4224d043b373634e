"""The referral fraud checks, each with the reason it records: self-referral (same account, same canonical
email or phone, same shipping address, same payment card), referral loops, an existing customer, the
per-referrer monthly cap, and the program's hold-for-review rules.

The checks only decide; callers record the verdict on the referral (its `reason_code`, `reason` and the
`signals` that matched, as fingerprints, never the addresses themselves).
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from saleor_loyalty.engagement.referral_facts import (
    PersonFacts,
    ReferralCheckoutFacts,
    ReferralOrderFacts,
    ReferralShop,
    canonical_email,
    friend_key,
)
from saleor_loyalty.models import COUNTED_STATUSES, LoyaltyAccount, LoyaltyProgram, Referral, ReferralSettings

MAX_CHAIN = 50  # how far up the referral chain a loop is looked for


@dataclass(frozen=True)
class Verdict:
    outcome: str  # "ok", "hold" or "reject"
    reason_code: str = ""
    reason: str = ""
    signals: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @classmethod
    def reject(cls, reason_code: str, reason: str, **signals) -> "Verdict":
        return cls("reject", reason_code, reason, signals)

    @classmethod
    def hold(cls, reason_code: str, reason: str, **signals) -> "Verdict":
        return cls("hold", reason_code, reason, signals)


OK = Verdict("ok")


def _referrer_person(account: LoyaltyAccount, shop: ReferralShop | None) -> PersonFacts:
    known = shop.person(account.user_id, account.email) if shop is not None else PersonFacts()
    return PersonFacts(
        user_id=account.user_id,
        emails=known.emails | {canonical_email(account.email)},
        phones=known.phones,
        addresses=known.addresses,
        payments=known.payments,
    )


def _same_person(referrer: LoyaltyAccount, user_id: int | None, email: str) -> Verdict:
    if user_id is not None and user_id == referrer.user_id:
        return Verdict.reject("self_referral", "A member cannot refer themselves.", match="account")
    if email and canonical_email(email) == canonical_email(referrer.email):
        return Verdict.reject("self_referral", "The friend's email is the member's own.", match="email")
    return OK


def _is_upstream(referrer: LoyaltyAccount, user_id: int | None, email: str) -> bool:
    """Whether the friend referred the referrer, directly or through others (a loop)."""
    key = canonical_email(email)
    current, seen = referrer, set()
    for _ in range(MAX_CHAIN):
        if current.pk in seen:
            return False
        seen.add(current.pk)
        upstream = (
            Referral.objects.select_related("referrer")
            .filter(program_id=current.program_id, status__in=COUNTED_STATUSES)
            .filter(friend_key=friend_key(current.email))
            .first()
        )
        if upstream is None and current.user_id is not None:
            upstream = (
                Referral.objects.select_related("referrer")
                .filter(
                    program_id=current.program_id, status__in=COUNTED_STATUSES, friend_user_id=current.user_id
                )
                .first()
            )
        if upstream is None:
            return False
        current = upstream.referrer
        if (user_id is not None and current.user_id == user_id) or (
            key and canonical_email(current.email) == key
        ):
            return True
    return False


def screen_before_order(
    program: LoyaltyProgram, referrer: LoyaltyAccount, checkout: ReferralCheckoutFacts, shop: ReferralShop
) -> Verdict:
    """What can be refused when the code is applied (nothing is recorded for these)."""
    verdict = _same_person(referrer, checkout.user_id, checkout.email)
    if not verdict.ok:
        return verdict
    if (checkout.user_id is not None or checkout.email) and shop.has_orders(checkout.user_id, checkout.email):
        return Verdict.reject("existing_customer", "Referral codes are for a customer's first order.")
    if _is_upstream(referrer, checkout.user_id, checkout.email):
        return Verdict.reject("referral_loop", "The friend referred this member; referrals cannot go round.")
    return OK


def _month_start(moment: datetime, timezone: str) -> datetime:
    local = moment.astimezone(ZoneInfo(timezone))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(start: datetime) -> datetime:
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


def over_monthly_cap(referral: Referral, settings: ReferralSettings, at: datetime) -> bool:
    """The referrer already has `monthly_cap` counted referrals in the order's month (program timezone).
    Callers hold the referrer's code row locked, so two friends' orders cannot both take the last place."""
    if not settings.monthly_cap:
        return False
    start = _month_start(at, referral.program.timezone)
    counted = (
        Referral.objects.filter(
            referrer_id=referral.referrer_id,
            status__in=COUNTED_STATUSES,
            ordered_at__gte=start,
            ordered_at__lt=_next_month(start),
        )
        .exclude(pk=referral.pk)
        .count()
    )
    return counted >= settings.monthly_cap


def screen_order(
    referral: Referral, order: ReferralOrderFacts, settings: ReferralSettings, shop: ReferralShop | None
) -> Verdict:
    """Every check, on the friend's paid order; the first that fails decides."""
    referrer = referral.referrer
    verdict = _same_person(referrer, order.user_id, order.email)
    if not verdict.ok:
        return verdict
    if order.earlier_orders > 0:
        return Verdict.reject(
            "existing_customer", "Only a friend's first order counts; this customer had ordered before."
        )
    if _is_upstream(referrer, order.user_id, order.email):
        return Verdict.reject("referral_loop", "The friend referred this member; referrals cannot go round.")
    mine = _referrer_person(referrer, shop)
    friend = order.person
    if friend.emails & mine.emails:
        return Verdict.reject("self_referral", "The friend's email is the member's own.", match="email")
    if friend.phones & mine.phones:
        return Verdict.reject(
            "self_referral", "The friend's phone number is the member's own.", match="phone"
        )
    shared = {"address": friend.addresses & mine.addresses, "payment": friend.payments & mine.payments}
    for match, found in shared.items():
        if found:
            text = "shipping address" if match == "address" else "payment card"
            make = Verdict.hold if settings.hold_shared_address else Verdict.reject
            return make("self_referral", f"The friend's {text} is the member's own.", match=match)
    if order.net_paid() < max(settings.min_order_total, 0):
        return Verdict.reject(
            "below_minimum", f"The order is below {settings.min_order_total} {order.currency}."
        )
    if over_monthly_cap(referral, settings, order.paid_at or referral.created_at):
        return Verdict.reject("monthly_cap", "The member reached this month's referral limit.")
    if settings.hold_all:
        return Verdict.hold("review", "The shop reviews every referral.")
    if settings.hold_order_total_over is not None and order.total > settings.hold_order_total_over:
        return Verdict.hold("review", "Large first orders are reviewed by the shop.")
    return OK
