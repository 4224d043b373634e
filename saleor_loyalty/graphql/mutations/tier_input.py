import graphene

from saleor_loyalty.exceptions import TierNotFound
from saleor_loyalty.graphql.ids import int_pk
from saleor_loyalty.graphql.mutations.program_update import MoneyInput
from saleor_loyalty.tiers import settings as tier_settings


class LoyaltyTierInput(graphene.InputObjectType):
    """A tier's settings."""

    name = graphene.String(description="The tier's name in the program's language.")
    name_he = graphene.String(
        description="Hebrew display name. Deprecated: use loyaltyTierTranslate with languageCode HE."
    )
    position = graphene.Int(description="Where to insert (create only); 1 is just above the first tier.")
    entry_threshold = graphene.Decimal(description="Spend (currency) or points to enter.")
    retain_threshold = graphene.Decimal(
        description="Spend or points to keep the tier; at most the entry threshold."
    )
    earn_multiplier = graphene.Decimal(
        description="Points multiplier for members of the tier (1 = the program's rate)."
    )
    discount_percent = graphene.Decimal(description="Discount on goods for members, in percent.")
    free_shipping = graphene.Boolean(description="Members may use the club's reserved free shipping methods.")
    early_access = graphene.Boolean(
        description="Members get early access to marked products and collections."
    )
    birthday_points = graphene.Int(description="Points given on the member's birthday.")
    birthday_credit = graphene.Field(
        MoneyInput,
        description="Store credit on the member's card on their birthday, "
        "in the channel's currency; 0 = none.",
    )
    cashback_percent = graphene.Decimal(
        description="0-100 % of the accrual base; leave empty to use the program's."
    )


def translate_deprecated_name_he(program, tier, data) -> None:
    """`nameHe` in the input still sets the tier's Hebrew translation until clients move to loyaltyTierTranslate."""
    if data.get("name_he") is not None:
        tier_settings.translate_tier(program, tier.pk, "he", data["name_he"])


def tier_values(data) -> dict:
    """Only the fields the caller sent (cashbackRate may be sent as null to clear it); money as (amount, currency)."""
    values = {
        name: value
        for name, value in data.items()
        if name != "name_he" and (value is not None or name == "cashback_percent")
    }
    if "birthday_credit" in values:
        values["birthday_credit"] = (
            values["birthday_credit"]["amount"],
            values["birthday_credit"]["currency"],
        )
    return values


def tier_pk(global_id: str | None, field: str = "id") -> int | None:
    return int_pk(global_id, "LoyaltyTier", field, TierNotFound) if global_id is not None else None
