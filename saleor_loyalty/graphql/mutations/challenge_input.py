"""The input of the challenge and badge mutations, turned into the engine's values."""

import graphene

from saleor_loyalty.exceptions import BadgeNotFound, CurrencyMismatch
from saleor_loyalty.graphql.challenge_types import ChallengeMetricEnum, ChallengeWindowEnum
from saleor_loyalty.graphql.ids import int_pk
from saleor_loyalty.graphql.mutations.program_update import MoneyInput

CLEARABLE = ("target_amount", "ends_on", "window_days", "badge_id")  # sent as null: cleared


class LoyaltyChallengeInput(graphene.InputObjectType):
    """A challenge's settings; on update, fields left out stay as they are."""

    name = graphene.String(description="Name (1-100 characters).")
    name_he = graphene.String(description="Hebrew name (up to 100 characters).")
    description = graphene.String(description="What to do, in words (up to 500 characters).")
    description_he = graphene.String(description="Hebrew description (up to 500 characters).")
    metric = ChallengeMetricEnum(description="What counts.")
    target = graphene.Int(description="Orders, new categories, months or actions to reach (1-10000).")
    target_amount = graphene.Field(
        MoneyInput, description="Spend to reach (SPEND), in the channel's currency."
    )
    action_kind = graphene.String(description="The action counted (ACTIONS), e.g. product_review.")
    window = ChallengeWindowEnum(description="FIXED dates for everyone, or ROLLING days per member.")
    starts_on = graphene.Date(description="First local day that counts; today when left out.")
    ends_on = graphene.Date(description="Last local day that counts (FIXED); null = open-ended.")
    window_days = graphene.Int(description="Length of a ROLLING window in local days (1-3650).")
    reward_points = graphene.Int(description="Points given on completion.")
    badge_id = graphene.ID(description="Global ID of the badge given on completion.")
    is_active = graphene.Boolean(description="Switched on.")


class LoyaltyBadgeInput(graphene.InputObjectType):
    """A badge's settings; on update, fields left out stay as they are."""

    name = graphene.String(description="Name (1-100 characters).")
    name_he = graphene.String(description="Hebrew name (up to 100 characters).")
    description = graphene.String(description="What it is for (up to 500 characters).")
    description_he = graphene.String(description="Hebrew description (up to 500 characters).")
    image_url = graphene.String(description="http(s) address of its picture (up to 500 characters).")


def challenge_values(program, data) -> dict:
    """Only what the caller sent; money checked against the channel's currency, the badge id parsed."""
    values = {name: value for name, value in data.items() if value is not None or name in CLEARABLE}
    if values.get("target_amount") is not None:
        money = values["target_amount"]
        if money["currency"] != program.currency:
            raise CurrencyMismatch(f"Give the amount in {program.currency}.", "target_amount")
        values["target_amount"] = money["amount"]
    if values.get("badge_id") is not None:
        values["badge_id"] = int_pk(values["badge_id"], "LoyaltyBadge", "badge_id", BadgeNotFound)
    return values


def badge_values(data) -> dict:
    return {name: value for name, value in data.items() if value is not None}
