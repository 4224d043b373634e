import graphene

from saleor_loyalty.engagement import referrals
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.referrals import FriendBenefitEnum, ReferralSettingsType, ReferrerRewardEnum
from saleor_loyalty.graphql.resolvers import program_for


class ReferralSettingsInput(graphene.InputObjectType):
    enabled = graphene.Boolean(description="Offer referrals in the channel.")
    referrer_points = graphene.Int(description="Points for the referrer per counted friend, 0 to 1,000,000.")
    referrer_reward = ReferrerRewardEnum(description="Reward the referrer in POINTS or STORE_CREDIT.")
    referrer_credit = graphene.Decimal(
        description="Store credit per counted friend (STORE_CREDIT), in the channel's currency: above 0, "
        "at most 1,000,000, at most 2 decimals."
    )
    friend_benefit = FriendBenefitEnum(description="What the friend gets on their first order.")
    friend_value = graphene.Decimal(
        description="Percent (above 0, at most 100) or amount in the channel's currency, at most 2 decimals."
    )
    friend_points = graphene.Int(description="Welcome points for benefit POINTS.")
    pending_days = graphene.Int(description="Days the friend's order must stay unrefunded, 0 to 365.")
    monthly_cap = graphene.Int(description="Friends counted per referrer and month, 0 (none) to 1000.")
    min_order_total = graphene.Decimal(description="Smallest first order that counts.")
    link_template = graphene.String(
        description="http(s) storefront URL with {code} once, e.g. https://shop.example/?ref={code}; empty clears it."
    )
    hold_all = graphene.Boolean(description="Every referral waits for staff review.")
    hold_order_total_over = graphene.Decimal(description="First orders above this wait for review.")
    clear_hold_order_total_over = graphene.Boolean(description="True removes that threshold.")
    hold_shared_address = graphene.Boolean(
        description="A shared shipping address or card holds for review instead of rejecting."
    )

    class Meta:
        name = "LoyaltyReferralSettingsInput"
        description = "Referral rules to change; fields left out stay as they are."


class LoyaltyReferralSettingsUpdate(ClubMutation):
    settings = graphene.Field(ReferralSettingsType, description="The rules as saved.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        input = ReferralSettingsInput(required=True, description="What to change.")

    class Meta:
        description = "Change a channel's referral rules. Requires MANAGE_SETTINGS."

    permission = "MANAGE_SETTINGS"

    @classmethod
    def perform(cls, info, channel, input):
        changes = {name: value for name, value in input.items() if value is not None}
        if changes.pop("clear_hold_order_total_over", False):
            changes["hold_order_total_over"] = None
        return {
            "settings": ReferralSettingsType.of(
                referrals.update_settings(program_for(info, channel), **changes)
            )
        }
