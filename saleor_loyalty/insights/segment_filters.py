"""The filters a saved segment may combine: one registry, so a new filter is one entry here.

Each filter parses its stored or submitted value strictly (a wrong type, range, length or an unknown
name is a typed error on that filter, and nothing is saved) and narrows a queryset of the program's
members. All given filters apply (AND); list filters match any of their values (OR). Badges, referrals
and paid membership are read from the engagement package's rows as they are when the segment is read.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.members.listing import tier_condition
from saleor_loyalty.models import (
    Badge,
    BadgeAward,
    ConsentAction,
    ConsentEvent,
    Medium,
    Membership,
    MembershipStatus,
    NamedSegment,
    OrderLineFact,
    Referral,
    ReferralStatus,
    SegmentMembership,
    Suppression,
)
from saleor_loyalty.tiers.settings import tier_in_program

MAX_IDS = 20
MAX_AMOUNT = Decimal("1000000000")
PAID_MEMBERSHIP = ("active", "ended", "none")
# A friend whose referral counted: not rejected, not reversed (a refunded first order un-refers them).
REFERRED_STATUSES = (ReferralStatus.ORDERED, ReferralStatus.HELD, ReferralStatus.REWARDED)


def _int(value, field: str, low: int = 0, high: int = 2**31 - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise LoyaltyError(f"Give a whole number from {low} to {high}.", field)
    return value


def _amount(value, field: str) -> str:
    try:
        amount = Decimal(value) if isinstance(value, str) and len(value) <= 20 else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not 0 <= amount <= MAX_AMOUNT:
        raise LoyaltyError("Give an amount as a decimal string, 0 or more.", field)
    return str(amount)


def _moment(value, field: str) -> str:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) and len(value) <= 40 else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise LoyaltyError("Give a date and time with its timezone (e.g. 2026-11-01T00:00:00+02:00).", field)
    return moment.isoformat()


def _ids(value, field: str) -> list[int]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_IDS:
        raise LoyaltyError(f"Give 1 to {MAX_IDS} ids.", field)
    return sorted({_int(item, field, 1, 2**63 - 1) for item in value})


def _bool(value, field: str) -> bool:
    if not isinstance(value, bool):
        raise LoyaltyError("Give true or false.", field)
    return value


def _segments(value, field: str) -> list[str]:
    if not isinstance(value, list) or not 1 <= len(value) <= len(NamedSegment.values):
        raise LoyaltyError("Give one or more named segments.", field)
    if any(item not in NamedSegment.values for item in value):
        raise LoyaltyError(f"Named segments are {', '.join(NamedSegment.values)}.", field)
    return sorted(set(value))


def _bought(column: str):
    def narrow(members, program, ids):
        lines = OrderLineFact.objects.filter(program=program, **{f"{column}__in": ids})
        return members.filter(pk__in=lines.values("account_id"))

    return narrow


def _bought_collection(members, program, ids):
    any_of = Q()
    for collection in ids:
        any_of |= Q(collection_ids__contains=[collection])
    return members.filter(pk__in=OrderLineFact.objects.filter(any_of, program=program).values("account_id"))


def _consent(members, program, granted: bool):
    """The member's email consent as `messages.consent.state_for_hash` decides it, in SQL for the whole list."""
    subject = OuterRef("order_stats__email_hash")
    latest = ConsentEvent.objects.filter(
        subject_hash=subject, channel_slug=program.channel_slug, medium=Medium.EMAIL
    ).order_by("-id")
    members = members.annotate(
        consent_action=Subquery(latest.values("action")[:1]),
        consent_at=Subquery(latest.values("occurred_at")[:1]),
        suppressed_at=Subquery(
            Suppression.objects.filter(subject_hash=subject, medium=Medium.EMAIL).values("suppressed_at")[:1]
        ),
    )
    may = Q(consent_action=ConsentAction.GRANT) & (
        Q(suppressed_at__isnull=True) | Q(suppressed_at__lt=F("consent_at"))
    )
    return members.filter(may) if granted else members.exclude(may)


def _states(value, field: str) -> list[str]:
    if not isinstance(value, list) or not 1 <= len(value) <= len(PAID_MEMBERSHIP):
        raise LoyaltyError("Give one or more of active, ended, none.", field)
    if any(item not in PAID_MEMBERSHIP for item in value):
        raise LoyaltyError("Paid membership is active, ended or none.", field)
    return sorted(set(value))


def _badges(members, program, ids):
    return members.filter(
        pk__in=BadgeAward.objects.filter(badge__program=program, badge_id__in=ids).values("account_id")
    )


def _referred_a_friend(members, program, yes: bool):
    """Has (not) referred a friend whose referral was rewarded (and not reversed since)."""
    rewarded = Referral.objects.filter(program=program, status=ReferralStatus.REWARDED).values("referrer_id")
    return members.filter(pk__in=rewarded) if yes else members.exclude(pk__in=rewarded)


def _was_referred(members, program, yes: bool):
    """Came (not) through a member's code: their own first order counted as a referral."""
    as_friend = Referral.objects.filter(program=program, status__in=REFERRED_STATUSES).filter(
        Q(friend_user_id=OuterRef("user_id")) | Q(friend_email=OuterRef("email"), friend_email__gt="")
    )
    return members.filter(Exists(as_friend) if yes else ~Exists(as_friend))


def _paid_membership(members, program, states):
    """Active: a paid term runs now (the expiry job may not have caught up, so `ends_at` decides too);
    ended: a membership that is not active; none: never paid."""
    now = timezone.now()
    active = Membership.objects.filter(program=program, status=MembershipStatus.ACTIVE, ends_at__gt=now)
    anyone = Membership.objects.filter(program=program)
    any_of = Q(pk__in=[])
    if "active" in states:
        any_of |= Q(pk__in=active.values("account_id"))
    if "ended" in states:
        any_of |= Q(pk__in=anyone.values("account_id")) & ~Q(pk__in=active.values("account_id"))
    if "none" in states:
        any_of |= ~Q(pk__in=anyone.values("account_id"))
    return members.filter(any_of)


@dataclass(frozen=True)
class Filter:
    parse: Callable
    narrow: Callable  # (members, program, parsed value) -> members


FILTERS: dict[str, Filter] = {
    "tier_id": Filter(
        lambda v, f: _int(v, f, 1),
        lambda m, p, v: m.filter(tier_condition(p, tier_in_program(p, v, "tier_id"))),
    ),
    "spend_min": Filter(_amount, lambda m, p, v: m.filter(order_stats__monetary__gte=Decimal(v))),
    "spend_max": Filter(_amount, lambda m, p, v: m.filter(order_stats__monetary__lte=Decimal(v))),
    "orders_min": Filter(_int, lambda m, p, v: m.filter(order_stats__orders__gte=v)),
    "orders_max": Filter(_int, lambda m, p, v: m.filter(order_stats__orders__lte=v)),
    "last_order_from": Filter(
        _moment, lambda m, p, v: m.filter(order_stats__last_order_at__gte=datetime.fromisoformat(v))
    ),
    "last_order_to": Filter(
        _moment, lambda m, p, v: m.filter(order_stats__last_order_at__lte=datetime.fromisoformat(v))
    ),
    "bought_products": Filter(_ids, _bought("product_id")),
    "bought_categories": Filter(_ids, _bought("category_id")),
    "bought_collections": Filter(_ids, _bought_collection),
    "email_consent": Filter(_bool, _consent),
    "segments": Filter(_segments, lambda m, p, v: m.filter(pk__in=_in_segments(p, v))),
    "badge_ids": Filter(_ids, _badges),
    "referred_a_friend": Filter(_bool, _referred_a_friend),
    "was_referred": Filter(_bool, _was_referred),
    "paid_membership": Filter(_states, _paid_membership),
}


def _in_segments(program, segments):
    return SegmentMembership.objects.filter(program=program, segment__in=segments).values("account_id")


def parse(program, filters) -> dict:
    """The filters, checked and normalised (what is stored); an unknown or bad one is a typed error."""
    if not isinstance(filters, dict) or not filters:
        raise LoyaltyError("Give at least one filter.", "filters")
    parsed = {}
    for name, value in filters.items():
        if name not in FILTERS:
            raise LoyaltyError(f"Unknown filter {str(name)[:40]}.", "filters")
        if value is None:
            continue
        parsed[name] = FILTERS[name].parse(value, name)
    if not parsed:
        raise LoyaltyError("Give at least one filter.", "filters")
    for low, high in (
        ("spend_min", "spend_max"),
        ("orders_min", "orders_max"),
        ("last_order_from", "last_order_to"),
    ):
        if low in parsed and high in parsed and _key(parsed[low]) > _key(parsed[high]):
            raise LoyaltyError(f"{low} is above {high}.", low)
    if "tier_id" in parsed:
        tier_in_program(program, parsed["tier_id"], "tier_id")
    if "badge_ids" in parsed:
        found = Badge.objects.filter(program=program, pk__in=parsed["badge_ids"]).count()
        if found != len(parsed["badge_ids"]):
            raise LoyaltyError("A badge is not in this channel's program.", "badge_ids")
    return parsed


def _key(value):
    if isinstance(value, int):
        return value
    try:
        return Decimal(value)
    except InvalidOperation:
        return datetime.fromisoformat(value)


def narrow(members, program, parsed: dict):
    for name, value in parsed.items():
        members = FILTERS[name].narrow(members, program, value)
    return members
