import graphene

from saleor_loyalty import ledger
from saleor_loyalty.benefits import birthdays
from saleor_loyalty.engagement import actions
from saleor_loyalty.graphql.member_types import Member, MemberView
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.models import BuiltinAction


class LoyaltyBirthdaySet(ClubMutation):
    member = graphene.Field(Member, description="The member with the birthday set.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        month = graphene.Int(required=True, description="Month, 1-12.")
        day = graphene.Int(required=True, description="Day of the month.")

    class Meta:
        description = "The signed-in customer's own birthday (day and month); changeable once a year."

    customer_only = True

    @classmethod
    def perform(cls, info, channel, month, day):
        requestor = info.context.requestor
        birthdays.validate_birthday(month, day)
        program = program_for(info, channel)
        account = ledger.account_for(program, requestor.user_id, requestor.email)
        account = birthdays.set_birthday(account, month, day)
        actions.record_builtin(BuiltinAction.BIRTHDAY_SET, requestor.user_id, requestor.email, channel)
        return {
            "member": MemberView(
                program=program, account=account, user_id=requestor.user_id, email=requestor.email
            )
        }
