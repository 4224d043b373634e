import graphene

from saleor_loyalty.engagement import club_page
from saleor_loyalty.graphql.actions import ActionSettingsType
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.mutations.program_update import MoneyInput
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyActionSettingsInput(graphene.InputObjectType):
    """The club page's settings; fields left out stay as they are."""

    storefront_url = graphene.String(description="The storefront's base address (share links go only there).")
    terms_en = graphene.String(
        description=f"The club's terms in English (up to {club_page.MAX_TERMS} characters)."
    )
    terms_he = graphene.String(
        description=f"The club's terms in Hebrew (up to {club_page.MAX_TERMS} characters)."
    )
    anniversary_points = graphene.Int(description="Points for each year in the club; 0 = none.")
    anniversary_credit = graphene.Field(
        MoneyInput, description="Store credit for each year in the club; 0 = none."
    )


class LoyaltyActionSettingsUpdate(ClubMutation):
    settings = graphene.Field(ActionSettingsType, description="The settings as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        input = LoyaltyActionSettingsInput(required=True, description="What to change.")

    class Meta:
        description = (
            "Set the club page's terms, storefront address and anniversary gift. Requires MANAGE_SETTINGS."
        )

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, input):
        values = {name: value for name, value in input.items() if value is not None}
        if "anniversary_credit" in values:
            values["anniversary_credit"] = (
                values["anniversary_credit"]["amount"],
                values["anniversary_credit"]["currency"],
            )
        return {"settings": club_page.update_settings(program_for(info, channel), **values)}
