"""Early access in the club API: the storefront's list of gated items, and Saleor IDs of products and collections."""

import graphene

from saleor_loyalty.benefits import early_access
from saleor_loyalty.exceptions import CatalogItemNotFound
from saleor_loyalty.graphql.enums import EarlyAccessKindEnum
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.ids import int_pk, to_global_id
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.graphql.tier_types import TierType
from saleor_loyalty.members.summary import member_account
from saleor_loyalty.models import EarlyAccessKind

SALEOR_TYPE = {EarlyAccessKind.PRODUCT: "Product", EarlyAccessKind.COLLECTION: "Collection"}


def saleor_pks(global_ids, kind: str, field: str) -> list[int]:
    """Saleor's numeric ids from its global IDs ("Product:<id>" / "Collection:<id>", base64)."""
    return [
        int_pk(global_id, SALEOR_TYPE[kind], field, CatalogItemNotFound) for global_id in global_ids or ()
    ]


def items_from(products, collections) -> dict[str, list[int]]:
    return {
        EarlyAccessKind.PRODUCT: saleor_pks(products, EarlyAccessKind.PRODUCT, "products"),
        EarlyAccessKind.COLLECTION: saleor_pks(collections, EarlyAccessKind.COLLECTION, "collections"),
    }


class EarlyAccessItemType(graphene.ObjectType):
    """A product or collection the club opens early to some tiers."""

    id = graphene.ID(required=True, description="Saleor's global ID of the product or collection.")
    kind = EarlyAccessKindEnum(required=True, description="Product or collection.")
    starts_at = graphene.DateTime(description="Members may see it from then; null = already open to them.")
    ends_at = graphene.DateTime(
        description="Public launch: from then it is no longer gated; null = until unmarked."
    )
    minimum_tier = graphene.Field(
        TierType, description="Members of this tier or above; null = tiers with the early-access benefit."
    )
    open_to_tiers = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Names of the tiers that may see it while its window is open.",
    )
    locked = graphene.Boolean(
        required=True,
        description="True when the caller may not see it now: anonymous, below the tier, or before startsAt.",
    )

    class Meta:
        name = "LoyaltyEarlyAccessItem"

    @staticmethod
    def resolve_id(root: early_access.ItemView, _info):
        return to_global_id(SALEOR_TYPE[root.item.kind], root.item.saleor_id)

    @staticmethod
    def resolve_kind(root: early_access.ItemView, _info):
        return root.item.kind

    @staticmethod
    def resolve_starts_at(root: early_access.ItemView, _info):
        return root.item.starts_at

    @staticmethod
    def resolve_ends_at(root: early_access.ItemView, _info):
        return root.item.ends_at

    @staticmethod
    def resolve_open_to_tiers(root: early_access.ItemView, _info):
        return [tier.name for tier in root.open_to]


class EarlyAccessQueries(graphene.ObjectType):
    early_access = graphene.List(
        graphene.NonNull(EarlyAccessItemType),
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="Products and collections the club still gates in a channel (not launched yet), each "
        "`locked` or not for the caller; anyone may ask, anonymous callers see everything locked.",
    )

    @staticmethod
    @resolver()
    def resolve_early_access(_root, info, channel):
        user_id = info.context.requestor.user_id
        account = member_account(channel, user_id) if user_id is not None else None
        program = account.program if account else program_for(info, channel)
        return early_access.gated_items(program, account, signed_in=user_id is not None)
