import graphene

from saleor_loyalty import ledger
from saleor_loyalty.engagement import actions
from saleor_loyalty.graphql.actions import ActionOutcomeEnum
from saleor_loyalty.graphql.member_types import LoyaltyTransaction, Member
from saleor_loyalty.graphql.mutations.action_input import MAX_KEY
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import find_user, member_view, program_for


class LoyaltyActionRecord(ClubMutation):
    outcome = ActionOutcomeEnum(description="Awarded, awarded before, capped, or switched off.")
    transaction = graphene.Field(
        LoyaltyTransaction, description="The award's ledger row (also when awarded before)."
    )
    member = graphene.Field(Member, description="The member after the recording.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        action = graphene.String(
            required=True, description=f"The action's key, e.g. product_review (≤ {MAX_KEY})."
        )
        user_id = graphene.ID(required=True, description="Saleor global ID of the customer who did it.")
        object_id = graphene.String(
            description="What it was about (the reviewed product's ID); required for once-per-object actions."
        )
        idempotency_key = graphene.String(
            required=True, description="Retrying with the same key records once (1-128 characters)."
        )

    class Meta:
        description = (
            "Record that a customer did an action (a review your app collected): one award per action, member "
            "and object, within its caps. Requires MANAGE_USERS, like adjusting points."
        )

    permission = "MANAGE_USERS"

    @classmethod
    def perform(cls, info, channel, action, user_id, idempotency_key, object_id=None):
        program = program_for(info, channel)
        user = find_user(user_id=user_id)
        account = ledger.account_for(program, user.pk, user.email)
        result = actions.record(
            program,
            action[:MAX_KEY],
            account,
            object_id or "",
            idempotency_key,
            info.context.requestor.as_actor(),
        )
        return {"outcome": result.outcome, "transaction": result.entry, "member": member_view(program, user)}
