"""GraphQL types for tiers: the ladder, a member's standing on it, and the tier history."""

import graphene

from saleor_loyalty.graphql.enums import LanguageCodeEnum, TierBasisEnum, TierCauseEnum
from saleor_loyalty.graphql.ids import to_global_id
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.members.snapshot import tier_names
from saleor_loyalty.models import Tier, TierBasis, TierEvent, TierTranslation
from saleor_loyalty.tiers.ladder import TierStanding


class TierBenefits(graphene.ObjectType):
    """What a tier gives its members."""

    earn_multiplier = graphene.Float(
        required=True, description="Points per unit spent are multiplied by this."
    )
    discount_percent = graphene.Float(required=True, description="Discount on the member's checkouts.")
    free_shipping = graphene.Boolean(
        required=True, description="Members may use the club's reserved free shipping methods."
    )
    early_access = graphene.Boolean(
        required=True, description="May see early-access items marked without a minimum tier."
    )
    birthday_points = graphene.Int(required=True, description="Points given on the member's birthday.")
    birthday_credit = graphene.Field(
        MoneyType,
        required=True,
        description="Store credit put on the member's card on their birthday; 0 = none.",
    )
    cashback_percent = graphene.Float(description="Cashback in % for this tier; null uses the program's.")

    class Meta:
        name = "LoyaltyTierBenefits"


class TierTranslationType(graphene.ObjectType):
    """A tier's name in one language."""

    language_code = LanguageCodeEnum(required=True, description="The language.")
    name = graphene.String(required=True, description="The tier's name in that language.")

    class Meta:
        name = "LoyaltyTierTranslation"


def _translated_name(info, tier: Tier, language_code: str) -> str | None:
    """One query per request for all of a program's tier names (none when read with the ladder)."""
    key = ("tier_translations", tier.program_id)
    names = info.context.loaders.get(key)
    if names is None:
        names = info.context.loaders[key] = tier_names(tier.program)
    if names is None:
        rows = TierTranslation.objects.filter(tier__program_id=tier.program_id)
        names = {
            (tier_id, code): name
            for tier_id, code, name in rows.values_list("tier_id", "language_code", "name")
        }
        info.context.loaders[key] = names
    return names.get((tier.pk, language_code))


class TierType(graphene.ObjectType):
    """A rung of the tier ladder."""

    id = graphene.ID(required=True, description="Global ID of the tier.")
    position = graphene.Int(required=True, description="0 is the tier every member starts in.")
    name = graphene.String(required=True, description="The tier's name in the program's language.")
    name_he = graphene.String(
        required=True,
        description="Hebrew display name.",
        deprecation_reason="Use `translation(languageCode: HE) { name }`.",
    )
    translation = graphene.Field(
        TierTranslationType,
        language_code=graphene.Argument(
            LanguageCodeEnum, required=True, description="The language to show the tier in."
        ),
        description="The tier's name in a language; null when it has none there.",
    )
    entry_threshold = graphene.Float(required=True, description="Spend (currency) or points to enter.")
    retain_threshold = graphene.Float(required=True, description="Spend or points to keep the tier.")
    benefits = graphene.Field(TierBenefits, required=True, description="What the tier gives.")

    class Meta:
        name = "LoyaltyTier"

    @staticmethod
    def resolve_id(root: Tier, _info):
        return to_global_id("LoyaltyTier", root.pk)

    @staticmethod
    def resolve_name_he(root: Tier, info):
        return _translated_name(info, root, "he") or ""

    @staticmethod
    def resolve_translation(root: Tier, info, language_code):
        name = _translated_name(info, root, language_code)
        return TierTranslationType(language_code=language_code, name=name) if name else None

    @staticmethod
    def resolve_benefits(root: Tier, _info):
        return TierBenefits(
            earn_multiplier=root.earn_multiplier,
            discount_percent=root.discount_percent,
            free_shipping=root.free_shipping,
            early_access=root.early_access,
            birthday_points=root.birthday_points,
            cashback_percent=root.cashback_percent,
            birthday_credit=MoneyType.of(root.birthday_credit, root.program.currency),
        )


class TierProgress(graphene.ObjectType):
    """How far the member is from the next tier."""

    basis = TierBasisEnum(required=True, description="What progress is measured in.")
    current = graphene.Float(
        required=True, description="Spend, points or paid orders counted in the current window."
    )
    target = graphene.Float(description="The next tier's entry threshold; null at the top.")
    remaining = graphene.Float(description="What is still needed for the next tier; null at the top.")
    percent = graphene.Float(description="Progress to the next tier, 0-100; null at the top.")

    class Meta:
        name = "LoyaltyTierProgress"


class TierRetention(graphene.ObjectType):
    """What the member still needs, by when, to keep their tier."""

    amount = graphene.Float(description="Spend still needed to keep the tier (spend basis).")
    points = graphene.Int(description="Points still needed to keep the tier (points basis).")
    orders = graphene.Int(description="Paid orders still needed to keep the tier (orders basis).")
    date = graphene.Date(description="Local date by which it is needed; null when the window never closes.")

    class Meta:
        name = "LoyaltyTierRetention"


def progress_of(standing: TierStanding) -> TierProgress | None:
    if standing.tier is None:
        return None
    return TierProgress(
        basis=standing.basis,
        current=standing.current,
        target=standing.target,
        remaining=standing.remaining,
        percent=standing.percent,
    )


def retention_of(standing: TierStanding) -> TierRetention | None:
    if standing.retain_amount is None:
        return None
    if standing.basis == TierBasis.POINTS:
        return TierRetention(points=int(standing.retain_amount), date=standing.retain_by)
    if standing.basis == TierBasis.ORDERS:
        return TierRetention(orders=int(standing.retain_amount), date=standing.retain_by)
    return TierRetention(amount=standing.retain_amount, date=standing.retain_by)


class TierEventType(graphene.ObjectType):
    """One change of a member's tier."""

    cause = TierCauseEnum(required=True, description="What changed it.")
    from_tier = graphene.String(description="Tier name before the change.")
    to_tier = graphene.String(description="Tier name after the change.")
    qualifying_amount = graphene.Float(description="Spend or points that qualified, when a rule changed it.")
    order_id = graphene.ID(description="Saleor global ID of the order that caused it.")
    reason = graphene.String(required=True, description="Staff's reason, for overrides.")
    actor = graphene.String(required=True, description="Who changed it: staff, app or the system.")
    created = graphene.DateTime(required=True, description="When.")

    class Meta:
        name = "LoyaltyTierEvent"

    @staticmethod
    def resolve_from_tier(root: TierEvent, _info):
        return root.from_tier_name or None

    @staticmethod
    def resolve_to_tier(root: TierEvent, _info):
        return root.to_tier_name or None

    @staticmethod
    def resolve_order_id(root: TierEvent, _info):
        return to_global_id("Order", root.order_id) if root.order_id else None

    @staticmethod
    def resolve_actor(root: TierEvent, _info):
        return root.actor_label

    @staticmethod
    def resolve_created(root: TierEvent, _info):
        return root.created_at
