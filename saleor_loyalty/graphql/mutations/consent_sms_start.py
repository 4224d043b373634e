import graphene

from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.messages import sms_opt_in
from saleor_loyalty.messages.pipeline import channel_settings


class LoyaltyConsentSmsStart(ClubMutation):
    expires_at = graphene.DateTime(description="Until when the code sent can be confirmed.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        phone = graphene.String(required=True, description="The number, with its country code (+972…).")
        wording = graphene.String(
            required=True, description="The exact consent text shown next to the number (kept as evidence)."
        )
        locale = graphene.String(description="Language of the wording, and of the SMS (he or en).")

    class Meta:
        description = (
            "SMS double opt-in, step 1: send a short-lived code to a number (rate-limited; the answer is "
            "the same for any number). Confirm it with `loyaltyConsentSmsConfirm`."
        )

    # The code row commits before the provider is called (and stays, counting toward the rate
    # limit, if the provider fails): an outer transaction would hold locks over the HTTP call.
    atomic = False

    @classmethod
    def authorize(cls, requestor, channel):
        """Anyone may ask: the code itself, received on the number, is the proof of ownership."""

    @classmethod
    def perform(cls, info, channel, phone, wording, locale=None):
        program_for(info, channel)  # an unknown channel sends nothing
        context = info.context
        challenge = sms_opt_in.start(
            channel,
            phone,
            wording=wording,
            sender=channel_settings(channel).sender_name or channel,
            locale=locale or "",
            ip=context.client_ip,
            user_id=context.requestor.user_id,
        )
        return {"expires_at": challenge.expires_at}
