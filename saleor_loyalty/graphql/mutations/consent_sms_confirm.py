import graphene

from saleor_loyalty.graphql.consent import ConsentStateType, consent_view
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.messages import sms_opt_in
from saleor_loyalty.models import Medium


class LoyaltyConsentSmsConfirm(ClubMutation):
    consent = graphene.Field(ConsentStateType, description="The number's SMS consent as recorded now.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        phone = graphene.String(required=True, description="The number the code was sent to.")
        code = graphene.String(required=True, description="The code received by SMS.")

    class Meta:
        description = (
            "SMS double opt-in, step 2: the code received grants SMS consent (source DOUBLE_OPT_IN). "
            "A wrong, expired, used or exhausted code is one error, `SMS_CODE_INVALID`."
        )

    # Each attempt is committed even when the code is wrong (the attempt cap must hold), so the
    # engine function owns its transaction; a refused code writes nothing but that count.
    atomic = False

    @classmethod
    def authorize(cls, requestor, channel):
        """Anyone holding the code may confirm: receiving it on the number is the proof."""

    @classmethod
    def perform(cls, info, channel, phone, code):
        program_for(info, channel)
        context = info.context
        sms_opt_in.confirm(channel, phone, code, ip=context.client_ip, user_id=context.requestor.user_id)
        return {"consent": consent_view(channel, Medium.SMS, phone)}
