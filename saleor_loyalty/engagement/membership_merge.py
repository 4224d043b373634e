"""A guest's paid membership follows the guest's points into the registered account they merge into.

Invariant: it runs inside the merge's transaction (`attach_guest_accounts` hands it to the ledger's merge
as `on_merge`), with both accounts locked, and the merge skips a guest already merged, so a second or concurrent merge finds the guest merged and
carries nothing. The terms themselves move (never copied: one row per Saleor order line, unique), so
they can never count twice; they join the member's chains by plan (`membership_chains`), side by side
with any plan the member already has. Without a membership of their own, the member takes the guest's
row itself, so its monthly gift keys (`membership_gift:<membership>:<month>`) carry on unchanged.
"""

from datetime import datetime

from saleor_loyalty import ledger
from saleor_loyalty.engagement.membership import MembershipChange, settle
from saleor_loyalty.models import LoyaltyAccount, Membership, MembershipStatus, MembershipTermRow


def carry_guest_membership(
    guest: LoyaltyAccount, member: LoyaltyAccount, now: datetime
) -> MembershipChange | None:
    """Move a locked guest's membership terms onto the locked member's membership; None without any."""
    carried = Membership.objects.select_for_update(of=("self",)).filter(account=guest).first()
    if carried is None:
        return None
    terms = list(
        MembershipTermRow.objects.select_for_update(of=("self",))
        .filter(membership=carried)
        .select_related("plan__tier")
    )
    if not terms:
        return None
    program = member.program
    target = (
        Membership.objects.select_for_update(of=("self",))
        .filter(account=member)
        .select_related("plan")
        .first()
    )
    if target is None:
        carried.account = member
        carried.tier_before_id = member.tier_id  # the member's own tier, not the guest's
        carried.save(update_fields=["account", "tier_before_id", "updated_at"])
        return settle(member, program, carried, terms, now)
    MembershipTermRow.objects.filter(membership=carried).update(membership=target)
    own = list(
        MembershipTermRow.objects.select_for_update(of=("self",))
        .filter(membership=target)
        .exclude(pk__in=[term.pk for term in terms])
        .select_related("plan__tier")
    )
    for term in terms:
        term.membership = target
    carried.status = MembershipStatus.ENDED
    carried.ended_notice_for = carried.ends_at  # nothing ended for the customer: no "ended" news
    carried.save(update_fields=["status", "ended_notice_for", "updated_at"])
    return settle(member, program, target, own + terms, now)


def attach_guest_accounts(user_id: int, email: str) -> list[LoyaltyAccount]:
    """A new customer's guest accounts join theirs (`ledger.attach_guest_accounts`), paid membership too."""
    return ledger.attach_guest_accounts(user_id, email, on_merge=carry_guest_membership)
