"""Actions on the API: the catalogue and page settings for staff, bulk grants' audit records."""

import graphene

from saleor_loyalty.engagement import catalogue
from saleor_loyalty.graphql.enums import choices_enum
from saleor_loyalty.graphql.errors import resolver
from saleor_loyalty.graphql.ids import to_global_id
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.models import ActionOutcome, ActionSettings, BulkGrant, BulkGrantState, ClubAction

MANAGE_SETTINGS = "MANAGE_SETTINGS"
MANAGE_USERS = "MANAGE_USERS"
MAX_GRANTS_LISTED = 100

ActionOutcomeEnum = choices_enum(
    "LoyaltyActionOutcome", ActionOutcome.values, "What recording an action did for the member."
)
BulkGrantStateEnum = choices_enum(
    "LoyaltyBulkGrantState", BulkGrantState.values, "Where a bulk grant stands."
)


class ActionCaps(graphene.ObjectType):
    """How often one member may earn an action; null = no limit. Days and months are the program's local ones."""

    per_day = graphene.Int(description="Awards per member per local day.")
    per_month = graphene.Int(description="Awards per member per local calendar month.")
    lifetime = graphene.Int(description="Awards per member ever.")
    once_per_object = graphene.Boolean(
        required=True, description="At most one award per object (one review per product)."
    )

    class Meta:
        name = "LoyaltyActionCaps"


def caps_of(action: ClubAction) -> ActionCaps:
    return ActionCaps(
        per_day=action.cap_per_day,
        per_month=action.cap_per_month,
        lifetime=action.cap_lifetime,
        once_per_object=action.once_per_object,
    )


class WayToEarn(graphene.ObjectType):
    """An action that earns points, as the storefront shows it."""

    key = graphene.String(required=True, description="The action's key (e.g. product_review).")
    name_en = graphene.String(required=True, description="Its name in English.")
    name_he = graphene.String(required=True, description="Its name in Hebrew (English when none was given).")
    points = graphene.Int(required=True, description="Points per award.")
    caps = graphene.Field(ActionCaps, required=True, description="How often a member may earn it.")
    pending_days = graphene.Int(required=True, description="Days before its points can be spent.")

    class Meta:
        name = "LoyaltyWayToEarn"

    @staticmethod
    def resolve_name_he(root: ClubAction, _info):
        return root.name_he or root.name_en

    @staticmethod
    def resolve_caps(root: ClubAction, _info):
        return caps_of(root)


class ActionType(WayToEarn):
    """An action of the catalogue with its staff settings."""

    id = graphene.ID(required=True, description="Global ID of the action.")
    is_builtin = graphene.Boolean(required=True, description="Built in: can be switched off, not deleted.")
    is_enabled = graphene.Boolean(required=True, description="Members earn it now.")

    class Meta:
        name = "LoyaltyAction"

    @staticmethod
    def resolve_id(root: ClubAction, _info):
        return to_global_id("LoyaltyAction", root.pk)


class ActionSettingsType(graphene.ObjectType):
    """The club page's settings and the anniversary gift."""

    storefront_url = graphene.String(
        required=True, description="Share links redirect only under this base address."
    )
    terms_en = graphene.String(required=True, description="The club's terms in English.")
    terms_he = graphene.String(required=True, description="The club's terms in Hebrew.")
    anniversary_points = graphene.Int(
        required=True, description="Points for each year in the club; 0 = none."
    )
    anniversary_credit = graphene.Field(
        MoneyType, required=True, description="Store credit for each year in the club; 0 = none."
    )

    class Meta:
        name = "LoyaltyActionSettings"

    @staticmethod
    def resolve_anniversary_credit(root: ActionSettings, _info):
        return MoneyType.of(root.anniversary_credit, root.program.currency)


class BulkGrantType(graphene.ObjectType):
    """One staff grant to many members: the audit record and its progress."""

    id = graphene.ID(required=True, description="Global ID of the grant.")
    points = graphene.Int(required=True, description="Points each member gets.")
    reason = graphene.String(required=True, description="Why (on every member's ledger row too).")
    state = BulkGrantStateEnum(required=True, description="Running (batch by batch) or done.")
    granted = graphene.Int(required=True, description="Members granted so far.")
    skipped = graphene.Int(
        required=True, description="Members skipped (granted before, or the club was off)."
    )
    by_filter = graphene.Boolean(required=True, description="Made from a member-list filter (else a list).")
    actor = graphene.String(required=True, description="Who granted it.")
    created = graphene.DateTime(required=True, description="When it was made.")
    finished = graphene.DateTime(description="When the last member was granted.")

    class Meta:
        name = "LoyaltyBulkGrant"

    @staticmethod
    def resolve_id(root: BulkGrant, _info):
        return to_global_id("LoyaltyBulkGrant", root.pk)

    @staticmethod
    def resolve_by_filter(root: BulkGrant, _info):
        return root.member_filter is not None

    @staticmethod
    def resolve_actor(root: BulkGrant, _info):
        return root.actor_label

    @staticmethod
    def resolve_created(root: BulkGrant, _info):
        return root.created_at

    @staticmethod
    def resolve_finished(root: BulkGrant, _info):
        return root.finished_at


class ActionQueries(graphene.ObjectType):
    actions = graphene.List(
        graphene.NonNull(ActionType),
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="The channel's actions catalogue, switched off ones too. Requires MANAGE_SETTINGS.",
    )
    action_settings = graphene.Field(
        ActionSettingsType,
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        description="The club page's settings and the anniversary gift. Requires MANAGE_SETTINGS.",
    )
    bulk_grants = graphene.List(
        graphene.NonNull(BulkGrantType),
        required=True,
        channel=graphene.String(required=True, description="The Saleor channel's slug."),
        first=graphene.Int(default_value=20, description="How many, newest first; 1 to 100."),
        description="Bulk grants, newest first. Requires MANAGE_USERS.",
    )

    @staticmethod
    @resolver(permission=MANAGE_SETTINGS)
    def resolve_actions(_root, info, channel):
        return catalogue.catalogue(program_for(info, channel))

    @staticmethod
    @resolver(permission=MANAGE_SETTINGS)
    def resolve_action_settings(_root, info, channel):
        program = program_for(info, channel)
        return ActionSettings.objects.filter(program=program).first() or ActionSettings(program=program)

    @staticmethod
    @resolver(permission=MANAGE_USERS)
    def resolve_bulk_grants(_root, info, channel, first=20):
        program = program_for(info, channel)
        first = max(1, min(first, MAX_GRANTS_LISTED))
        return list(BulkGrant.objects.filter(program=program).order_by("-pk")[:first])
