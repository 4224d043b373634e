"""GraphQL types of the paid membership: plans (staff), a member's membership and terms, the public offer."""

import graphene
from django.utils import timezone

from saleor_loyalty.engagement.membership import is_running
from saleor_loyalty.engagement.membership_plans import MembershipOffer
from saleor_loyalty.graphql.enums import choices_enum
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.ids import to_global_id
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.pagination import connection, connection_types, keyset_page
from saleor_loyalty.graphql.tier_types import TierType
from saleor_loyalty.models import (
    Membership,
    MembershipPlan,
    MembershipStatus,
    MembershipTerm,
    MembershipTermRow,
)

MembershipTermEnum = choices_enum(
    "LoyaltyMembershipPeriod", MembershipTerm.values, "How long one paid term runs: a month or a year."
)
MembershipStatusEnum = choices_enum(
    "LoyaltyMembershipStatus", MembershipStatus.values, "Whether a paid term is running now."
)
MembershipFilterEnum = choices_enum(
    "LoyaltyMembershipFilter",
    ("active", "ended", "none"),
    "Members by paid membership: running, ended, never.",
)


class MembershipPlanType(graphene.ObjectType):
    """A Saleor product variant sold as a paid membership of the club, and what each term gives."""

    id = graphene.ID(required=True, description="Global ID of the plan.")
    name = graphene.String(required=True, description="The plan's name, as staff set it.")
    variant_id = graphene.ID(
        required=True, description="Global ID of the Saleor ProductVariant sold as the plan."
    )
    term = MembershipTermEnum(required=True, description="How long one paid term (one unit bought) runs.")
    tier = graphene.Field(
        TierType, required=True, description="The member is at least in this tier while paid."
    )
    monthly_gift_points = graphene.Int(required=True, description="Points given each month of membership.")
    monthly_gift_credit = graphene.Field(
        MoneyType, required=True, description="Store credit put on the member's card each month; 0 = none."
    )
    reminder_days = graphene.Int(
        required=True, description="Days before the end the member is told; 0 = no reminder."
    )
    is_active = graphene.Boolean(
        required=True, description="Offered to the public; orders of it count anyway."
    )

    class Meta:
        name = "LoyaltyMembershipPlan"

    @staticmethod
    def resolve_id(root: MembershipPlan, _info):
        return to_global_id("LoyaltyMembershipPlan", root.pk)

    @staticmethod
    def resolve_variant_id(root: MembershipPlan, _info):
        return to_global_id("ProductVariant", root.variant_id)

    @staticmethod
    def resolve_monthly_gift_credit(root: MembershipPlan, _info):
        return MoneyType.of(root.monthly_gift_credit, root.program.currency)


class MembershipTermType(graphene.ObjectType):
    """One paid order line of a plan: its units and where they sit in the member's chain of terms."""

    id = graphene.ID(required=True, description="Global ID of the term row.")
    plan = graphene.Field(MembershipPlanType, required=True, description="The plan bought.")
    order_id = graphene.ID(required=True, description="Global ID of the Saleor Order.")
    order_number = graphene.String(required=True, description="The Saleor order's number.")
    quantity = graphene.Int(required=True, description="Terms bought on the line.")
    refunded_quantity = graphene.Int(
        required=True, description="Terms taken back by refunds or cancellation."
    )
    paid_at = graphene.DateTime(required=True, description="When the order was paid.")
    starts_at = graphene.DateTime(required=True, description="Where the line's terms start in the chain.")
    ends_at = graphene.DateTime(
        required=True, description="Where they end (local midnight); at the refund if taken back."
    )

    class Meta:
        name = "LoyaltyMembershipTerm"

    @staticmethod
    def resolve_id(root: MembershipTermRow, _info):
        return to_global_id("LoyaltyMembershipTerm", root.pk)

    @staticmethod
    def resolve_order_id(root: MembershipTermRow, _info):
        return to_global_id("Order", root.order_id)


LoyaltyMembershipTermConnection, LoyaltyMembershipTermEdge = connection_types(
    "LoyaltyMembershipTerm", MembershipTermType
)


class MembershipType(graphene.ObjectType):
    """A member's paid membership: the plan in force, whether it runs, and until when."""

    plan = graphene.Field(
        MembershipPlanType,
        required=True,
        description="The plan in force: the best running (highest tier, ties: longest remaining); "
        "when none runs, the one that ended last.",
    )
    status = MembershipStatusEnum(required=True, description="ACTIVE while a paid term runs, else ENDED.")
    started_at = graphene.DateTime(required=True, description="When the first term of the chain started.")
    ends_at = graphene.DateTime(
        required=True, description="When the last paid term ends: the local midnight closing its last day."
    )
    plan_ends_at = graphene.DateTime(
        required=True,
        description="When the plan in force ends; another plan bought side by side may run on to `endsAt`.",
    )
    current_term_ends_at = graphene.DateTime(
        description="When the plan in force's term running now ends; null when none runs."
    )
    terms = graphene.Field(
        LoyaltyMembershipTermConnection,
        required=True,
        first=graphene.Int(default_value=20, description="How many rows, 1 to 100."),
        after=graphene.String(description="`pageInfo.endCursor` of the previous page."),
        description="The paid order lines behind the membership, newest first.",
    )

    class Meta:
        name = "LoyaltyMembership"

    @staticmethod
    def resolve_status(root: Membership, _info):
        return MembershipStatus.ACTIVE if is_running(root) else MembershipStatus.ENDED

    @staticmethod
    def resolve_current_term_ends_at(root: Membership, _info):
        now = timezone.now()
        if not is_running(root, now):
            return None
        running = (
            MembershipTermRow.objects.filter(
                membership=root, plan_id=root.plan_id, starts_at__lte=now, ends_at__gt=now
            )
            .order_by("ends_at")
            .values_list("ends_at", flat=True)
            .first()
        )
        return running or root.plan_ends_at

    @staticmethod
    @resolver()
    def resolve_terms(root: Membership, _info, first=20, after=None):
        rows = MembershipTermRow.objects.filter(membership=root).select_related("plan__tier", "plan__program")
        return connection(
            LoyaltyMembershipTermConnection,
            LoyaltyMembershipTermEdge,
            keyset_page(rows, first, after, "term"),
        )


class MembershipOfferType(graphene.ObjectType):
    """A paid membership plan as a storefront sells it: Saleor's price in the channel, the term, the perks."""

    plan_id = graphene.ID(required=True, description="Global ID of the plan.")
    name = graphene.String(required=True, description="The plan's name.")
    variant_id = graphene.ID(
        required=True, description="Global ID of the Saleor ProductVariant to put in the checkout."
    )
    product_name = graphene.String(required=True, description="The Saleor product's name.")
    price = graphene.Field(
        MoneyType, required=True, description="What one term costs in the channel (Saleor's price)."
    )
    term = MembershipTermEnum(required=True, description="How long one term runs.")
    tier = graphene.Field(
        TierType, required=True, description="The tier members hold while paid, with its benefits."
    )
    monthly_gift_points = graphene.Int(required=True, description="Points each month of membership.")
    monthly_gift_credit = graphene.Field(
        MoneyType, required=True, description="Store credit each month of membership; 0 = none."
    )

    class Meta:
        name = "LoyaltyMembershipOffer"

    @staticmethod
    def from_offer(offer: MembershipOffer) -> "MembershipOfferType":
        plan = offer.plan
        return MembershipOfferType(
            plan_id=to_global_id("LoyaltyMembershipPlan", plan.pk),
            name=plan.name,
            variant_id=to_global_id("ProductVariant", plan.variant_id),
            product_name=offer.variant.product_name,
            price=MoneyType.from_money(offer.price),
            term=plan.term,
            tier=plan.tier,
            monthly_gift_points=plan.monthly_gift_points,
            monthly_gift_credit=MoneyType.of(plan.monthly_gift_credit, plan.program.currency),
        )
