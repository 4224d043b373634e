"""The typed, length-limited input of a saved segment, turned into the stored filters (`segment_filters`)."""

import graphene

from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.graphql.enums import choices_enum
from saleor_loyalty.graphql.ids import int_pk
from saleor_loyalty.graphql.segment_types import NamedSegmentEnum
from saleor_loyalty.insights.segment_filters import PAID_MEMBERSHIP

MAX_IDS = 20
PaidMembershipStateEnum = choices_enum(
    "LoyaltyPaidMembershipState",
    PAID_MEMBERSHIP,
    "ACTIVE: a paid term runs now; ENDED: paid before, not now; NONE: never paid.",
)


class SavedSegmentFilterInput(graphene.InputObjectType):
    """Filters of a saved segment; all given ones apply, list filters match any of their items."""

    tier_id = graphene.ID(description="Members currently in this tier.")
    spend_min = graphene.Decimal(
        description="Spent at least this (net of refunds), in the channel's currency."
    )
    spend_max = graphene.Decimal(description="Spent at most this.")
    orders_min = graphene.Int(description="At least this many counted orders.")
    orders_max = graphene.Int(description="At most this many counted orders.")
    last_order_from = graphene.DateTime(description="Last order at or after (timezone required).")
    last_order_to = graphene.DateTime(description="Last order at or before (timezone required).")
    bought_products = graphene.List(
        graphene.NonNull(graphene.ID), description="Bought any of (1-20 Products)."
    )
    bought_categories = graphene.List(
        graphene.NonNull(graphene.ID), description="Bought from any of (1-20 Categories)."
    )
    bought_collections = graphene.List(
        graphene.NonNull(graphene.ID), description="Bought from any of (1-20 Collections)."
    )
    email_consent = graphene.Boolean(description="Has (true) or has not (false) agreed to marketing email.")
    segments = graphene.List(
        graphene.NonNull(NamedSegmentEnum), description="In any of these named segments."
    )
    badge_ids = graphene.List(
        graphene.NonNull(graphene.ID), description="Earned any of (1-20 LoyaltyBadges)."
    )
    referred_a_friend = graphene.Boolean(
        description="Has (true) or has not (false) referred a friend whose referral was rewarded."
    )
    was_referred = graphene.Boolean(
        description="Joined (true) or did not join (false) through a member's referral that counted."
    )
    paid_membership = graphene.List(
        graphene.NonNull(PaidMembershipStateEnum), description="Paid membership in any of these states."
    )

    class Meta:
        name = "LoyaltySavedSegmentFilterInput"


class SavedSegmentInput(graphene.InputObjectType):
    """A saved segment's name and filters; on update, fields left out stay as they are."""

    name = graphene.String(description="1 to 100 characters, unique in the channel.")
    filters = graphene.Field(SavedSegmentFilterInput, description="The filters, replacing the current ones.")

    class Meta:
        name = "LoyaltySavedSegmentInput"


_IDS = {
    "bought_products": "Product",
    "bought_categories": "Category",
    "bought_collections": "Collection",
    "badge_ids": "LoyaltyBadge",
}


def stored_filters(given) -> dict:
    """The input as `segment_filters` stores it: global IDs become primary keys, instants ISO text."""
    stored = {}
    for name, value in dict(given).items():
        if value is None:
            continue
        if name == "tier_id":
            value = int_pk(value, "LoyaltyTier", "tier_id")
        elif name in _IDS:
            if len(value) > MAX_IDS:
                raise LoyaltyError(f"Give at most {MAX_IDS} ids.", name)
            value = [int_pk(item, _IDS[name], name) for item in value]
        elif name in ("spend_min", "spend_max"):
            value = str(value)
        elif name in ("last_order_from", "last_order_to"):
            if value.tzinfo is None:
                raise LoyaltyError("Dates need a timezone (e.g. 2026-11-01T00:00:00+02:00).", name)
            value = value.isoformat()
        elif name in ("segments", "paid_membership"):
            value = [getattr(item, "value", item) for item in value]
        stored[name] = value
    return stored
