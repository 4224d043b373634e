"""Paid membership from paid orders: each plan line is a term row, each plan's terms form its own chain.

- A paid order line of a plan's variant is recorded once (unique on the order line id); a quantity
  of 2 buys two consecutive terms. Orders are synced, not handled: the same facts delivered twice,
  late, or by two workers at once converge on the same rows (the account row is locked, then the
  membership row; the line's unique constraint is the backstop).
- Each plan's terms chain in payment order and plans run side by side (`membership_chains`); the
  membership holds the plan in force (the best running: highest tier, then longest remaining) and
  where its chain ends (`plan_ends_at`), and runs until the last chain ends (`ends_at`).
- A refund or cancellation of a line takes back its unused units: the line keeps what was used until
  the refund was first seen and its plan's later terms move up to fill the gap (that plan shortens,
  no other). When nothing is left the membership ends on the spot and the tier falls back.
- While a membership runs the member is at least in the plan in force's tier: the start (or a better
  plan) moves them up (a `TierEvent`), the nightly evaluation treats that tier as a floor, and refunds
  of other orders never downgrade (as for every member). When the plan in force ends while another
  runs, the member falls back to the other's tier (or what they hold themselves, if higher); when the
  last ends, to what they hold themselves: the tier their spend entered, their staff floor, or the
  tier they held before the membership, whichever is highest; from there the nightly evaluation's
  retain and grace rules apply as to anyone.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from saleor_loyalty import ledger
from saleor_loyalty.core.clock import local_date
from saleor_loyalty.core.facts import OrderFacts
from saleor_loyalty.engagement.membership_chains import placed_ends, plan_in_force, rechain
from saleor_loyalty.models import (
    LoyaltyAccount,
    LoyaltyProgram,
    Membership,
    MembershipPlan,
    MembershipStatus,
    MembershipTermRow,
    Tier,
    TierCause,
)
from saleor_loyalty.tiers.ladder import (
    current_tier,
    highest_entered,
    ladder,
    move_to,
    qualifying_amount,
)


def _tier_by_id(tiers: list[Tier], tier_id) -> Tier | None:
    return next((tier for tier in tiers if tier.pk == tier_id), None)


def grant_tier(account: LoyaltyAccount, program: LoyaltyProgram, plan: MembershipPlan, now, order_id=None):
    """Raise a locked account to the plan's tier when it is below it; the new tier or None."""
    if account.tier_id == plan.tier_id:
        return None  # an extension: already there, no ladder read
    tiers = ladder(program)
    current = current_tier(account, tiers)
    target = _tier_by_id(tiers, plan.tier_id)
    if current is None or target is None or target.position <= current.position:
        return None
    move_to(
        account,
        target,
        TierCause.MEMBERSHIP_STARTED,
        now,
        order_id=order_id,
        reason=f"Paid membership {plan.name}",
    )
    return target


def fall_back(
    account: LoyaltyAccount,
    program: LoyaltyProgram,
    membership: Membership,
    now,
    ended: MembershipPlan | None = None,
    still_paid: MembershipPlan | None = None,
) -> Tier | None:
    """Move a locked account down to what it earned itself once its plan in force ended (to `still_paid`,
    the plan that now runs, if that is higher); the new tier or None."""
    tiers = ladder(program)
    current = current_tier(account, tiers)
    if current is None:
        return None
    amount = qualifying_amount(program, account, now)
    candidates = [highest_entered(tiers, amount) or tiers[0]]
    if (floor := _tier_by_id(tiers, account.tier_floor_id)) is not None:
        candidates.append(floor)
    if (before := _tier_by_id(tiers, membership.tier_before_id)) is not None:
        candidates.append(before)  # theirs before they paid; the nightly evaluation's grace rules go on
    if still_paid is not None and (paid := _tier_by_id(tiers, still_paid.tier_id)) is not None:
        candidates.append(paid)
    target = max(candidates, key=lambda tier: tier.position)
    if target.position >= current.position:
        return None
    move_to(
        account,
        target,
        TierCause.MEMBERSHIP_ENDED,
        now,
        amount=amount,
        reason=f"Paid membership {(ended or membership.plan).name} ended"
        + (f"; {still_paid.name} runs on" if still_paid is not None else ""),
    )
    return target


@dataclass
class MembershipChange:
    membership: Membership
    recorded: list[MembershipTermRow]
    started: bool = False
    ended: bool = False


def _refunded_quantities(facts: OrderFacts) -> dict[str, int]:
    """Per line, how many units Saleor took back: all on a cancellation or a refund of the whole total,
    else the itemized refunds' lines. A refund of an amount alone does not say which line it was for."""
    if facts.is_cancelled or (facts.total_gross > 0 and facts.refunded_amount >= facts.total_gross):
        return {line.line_id: line.quantity for line in facts.lines}
    return {line.line_id: line.quantity for line in facts.refunded_lines}


PROBE_SQL = f"""
SELECT p.variant_id, NULL, NULL FROM {MembershipPlan._meta.db_table} p
JOIN {LoyaltyProgram._meta.db_table} g ON g.id = p.program_id
WHERE g.channel_slug = %(channel)s AND p.variant_id = ANY(%(variants)s)
UNION ALL
SELECT NULL, t.order_line_id, t.refunded_quantity FROM {MembershipTermRow._meta.db_table} t
WHERE t.order_line_id = ANY(%(lines)s)
"""


def _probe(facts: OrderFacts) -> tuple[set[int], dict[str, int]]:
    """(variants of the order that are plans, refunded quantity held per recorded line): one statement,
    none for an order without variant ids. Every order event pays it, so it is plain SQL."""
    variant_ids = sorted({line.variant_id for line in facts.lines if line.variant_id is not None})
    if not variant_ids:
        return set(), {}
    with connection.cursor() as cursor:
        cursor.execute(
            PROBE_SQL,
            {
                "channel": facts.channel_slug,
                "variants": variant_ids,
                "lines": [line.line_id for line in facts.lines],
            },
        )
        rows = cursor.fetchall()
    return {row[0] for row in rows if row[0] is not None}, {
        row[1]: row[2] for row in rows if row[1] is not None
    }


def _already_recorded(lines, refunded: dict[str, int], held: dict[str, int], is_paid: bool) -> bool:
    """Every plan line has its term and no refund is newer than what its term holds (or, unpaid, has none
    to start). Only committed rows are seen, so this never hides work: the rest takes the locking path."""
    return all(
        min(refunded.get(line.line_id, 0), line.quantity) <= held[line.line_id]
        if line.line_id in held
        else not is_paid
        for line in lines
    )


def _new_term(membership, plan, facts: OrderFacts, line, refunded: int, now) -> MembershipTermRow:
    paid_at = facts.paid_at or now
    return MembershipTermRow(
        membership=membership,
        plan=plan,
        order_id=facts.order_id,
        order_number=facts.number,
        order_line_id=line.line_id,
        quantity=line.quantity,
        refunded_quantity=min(refunded, line.quantity),
        refunded_at=paid_at if refunded else None,  # refunded before we saw it: nothing was used
        paid_at=paid_at,
        starts_at=paid_at,
        ends_at=paid_at,
    )


def _insert(term: MembershipTermRow) -> bool:
    try:
        with transaction.atomic():
            term.save()
    except IntegrityError:
        return False  # the line is recorded (the unique constraint on the order line decides)
    return True


def _owner(program: LoyaltyProgram, facts: OrderFacts, held: dict[str, int]) -> LoyaltyAccount:
    """Whose membership the order is on: where its recorded lines are (a guest's terms move to the account
    the guest merged into, and a later refund must find them there), else the buyer's account."""
    if held:
        account_id = (
            MembershipTermRow.objects.filter(order_line_id__in=list(held))
            .values_list("membership__account_id", flat=True)
            .first()
        )
        if account_id is not None:
            return LoyaltyAccount(pk=account_id)
    return ledger.account_for(program, facts.user_id, facts.email)


def sync_membership_order(facts: OrderFacts, now: datetime | None = None) -> MembershipChange | None:
    """Make the member's terms agree with the order's facts; None for an order without a plan line.

    Recorded whether or not the program is switched on: the customer paid for it. Benefits, gifts and
    news are what the switch stops (checkout benefits, the gift and notice jobs ask `gives_value`).
    """
    now = now or timezone.now()
    plan_variants, held = _probe(facts)
    lines = [line for line in facts.lines if line.variant_id in plan_variants and line.quantity > 0]
    if not lines or not (facts.user_id or facts.email):
        return None
    refunded = _refunded_quantities(facts)
    if _already_recorded(lines, refunded, held, facts.is_paid):
        return None  # a replay: nothing to do, no lock taken, nothing written
    by_variant = {
        plan.variant_id: plan
        for plan in MembershipPlan.objects.filter(
            program__channel_slug=facts.channel_slug, variant_id__in=plan_variants
        ).select_related("program", "tier")
    }
    lines = [line for line in lines if line.variant_id in by_variant]
    if not lines:
        return None  # the plan was deleted meanwhile
    program = next(iter(by_variant.values())).program
    with transaction.atomic():
        account = ledger.lock_account(_owner(program, facts, held))
        account.program = program
        membership = Membership.objects.select_for_update().filter(account=account).first()
        terms = (
            list(
                MembershipTermRow.objects.select_for_update(of=("self",))
                .filter(membership=membership)
                .select_related("plan__tier")
            )
            if membership is not None
            else []
        )
        known = {term.order_line_id: term for term in terms}
        new_terms, refunds = [], []
        for line in lines:
            plan, gone = by_variant[line.variant_id], refunded.get(line.line_id, 0)
            term = known.get(line.line_id)
            if term is None:
                if not facts.is_paid:
                    continue
                if membership is None:
                    membership = Membership.objects.create(
                        program=program,
                        account=account,
                        plan=plan,
                        started_at=now,
                        ends_at=now,
                        plan_ends_at=now,
                        status=MembershipStatus.ENDED,
                        tier_before_id=account.tier_id,
                    )
                new_terms.append(_new_term(membership, plan, facts, line, gone, now))
            elif (
                min(gone, term.quantity) > term.refunded_quantity
            ):  # cumulative: an older replay never un-refunds
                term.refunded_quantity = min(gone, term.quantity)
                term.refunded_at = term.refunded_at or now
                refunds.append(term)
        if membership is None:
            return None
        if not new_terms and not refunds:
            return MembershipChange(membership, [])
        return _settle(account, program, membership, terms, new_terms, refunds, now, facts.order_id)


def _settle(
    account, program, membership: Membership, terms, new_terms, refunds, now, order_id
) -> MembershipChange:
    """Place the chains (new terms are inserted already placed), write what moved, and move the tier for a
    start, a better plan, a plan in force refunded while another runs, or an end."""
    placed = {term.pk: (term.starts_at, term.ends_at) for term in terms}
    ends = rechain(terms + new_terms, program.timezone)
    recorded = [term for term in new_terms if _insert(term)]
    rewrite = []
    if len(recorded) != len(new_terms):  # a line recorded elsewhere: place the chains without it
        ends = rechain(terms + recorded, program.timezone)
        rewrite = list(recorded)
    rewrite += [
        term for term in terms if term in refunds or placed[term.pk] != (term.starts_at, term.ends_at)
    ]
    if rewrite:  # a refund, or terms moved up; a new term at the end of its chain moves nothing
        MembershipTermRow.objects.bulk_update(
            rewrite, ["starts_at", "ends_at", "refunded_quantity", "refunded_at"]
        )
    terms = terms + recorded
    if not terms:
        return MembershipChange(membership, [])
    was_active = membership.status == MembershipStatus.ACTIVE
    before = next((term.plan for term in terms if term.plan_id == membership.plan_id), None)
    end = max(ends.values())
    membership.plan, membership.plan_ends_at = plan_in_force(terms, ends, now)
    membership.started_at = min(term.starts_at for term in terms)
    membership.ends_at = end
    change = MembershipChange(membership, recorded)
    if end > now:
        if not was_active:
            membership.tier_before_id = account.tier_id
            change.started = True
        membership.status = MembershipStatus.ACTIVE
        membership.save()
        grant_tier(account, program, membership.plan, now, order_id)
        if was_active and before is not None and before.tier.position > membership.plan.tier.position:
            fall_back(account, program, membership, now, ended=before, still_paid=membership.plan)
    else:
        membership.status = MembershipStatus.ENDED
        if not was_active:  # refunded before it ever ran (or before we saw it): nothing to tell
            membership.ended_notice_for = end
        membership.save()
        if was_active:
            fall_back(account, program, membership, now)
            change.ended = True
    return change


def settle(account, program, membership: Membership, terms, now) -> MembershipChange:
    """Re-place terms that moved onto a locked account's membership (a guest's, at a merge) and move the
    tier as for an order: the chains, the plan in force and the tier come out as if bought there."""
    return _settle(account, program, membership, terms, [], [], now, None)


def end_if_due(membership_id: int, now: datetime) -> Membership | None:
    """The expiry job's step for a membership whose plan in force ran out: the next best plan takes over (and
    the tier falls back to it), or, with none left, the membership ends; None when it was not due (any more)."""
    with transaction.atomic():
        account_id = Membership.objects.filter(pk=membership_id).values_list("account_id", flat=True).first()
        if account_id is None:
            return None
        account = ledger.lock_account(LoyaltyAccount(pk=account_id))
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("plan__tier", "program")
            .get(pk=membership_id)
        )
        if membership.status != MembershipStatus.ACTIVE or membership.plan_ends_at > now:
            return None  # extended, or ended by another worker
        account.program = membership.program
        if membership.ends_at > now:  # another plan runs on
            terms = list(MembershipTermRow.objects.filter(membership=membership).select_related("plan__tier"))
            ended = membership.plan
            membership.plan, membership.plan_ends_at = plan_in_force(terms, placed_ends(terms), now)
            membership.save(update_fields=["plan", "plan_ends_at", "updated_at"])
            if ended.tier.position > membership.plan.tier.position:
                fall_back(
                    account, membership.program, membership, now, ended=ended, still_paid=membership.plan
                )
            return membership
        membership.status = MembershipStatus.ENDED
        membership.save(update_fields=["status", "updated_at"])
        fall_back(account, membership.program, membership, now)
    return membership


def running_plan_tier_id(account: LoyaltyAccount | None, now: datetime | None = None) -> int | None:
    """The tier a running membership holds the member at (None without one)."""
    if account is None:
        return None
    now = now or timezone.now()
    return (
        Membership.objects.filter(account=account, status=MembershipStatus.ACTIVE, ends_at__gt=now)
        .values_list("plan__tier_id", flat=True)
        .first()
    )


def membership_of(account: LoyaltyAccount | None) -> Membership | None:
    if account is None:
        return None
    return Membership.objects.filter(account=account).select_related("plan", "plan__tier").first()


def is_running(membership: Membership | None, now: datetime | None = None) -> bool:
    return (
        membership is not None
        and membership.status == MembershipStatus.ACTIVE
        and membership.ends_at > (now or timezone.now())
    )


def local_end_date(membership: Membership):
    """The last local day of the membership (it ends at the following midnight)."""
    return local_date(membership.ends_at - timedelta(microseconds=1), membership.program.timezone)
