import graphene

from saleor_loyalty import ledger
from saleor_loyalty.benefits import birthdays
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.graphql.errors import LoyaltyErrorType, error_list, require_customer
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.graphql.types import Member, MemberView


class LoyaltyBirthdaySet(graphene.Mutation):
    """The signed-in customer's own birthday (day and month); changeable once a year."""

    member = graphene.Field(Member)
    errors = graphene.List(graphene.NonNull(LoyaltyErrorType), required=True)

    class Arguments:
        channel = graphene.String(required=True)
        month = graphene.Int(required=True)
        day = graphene.Int(required=True)

    @classmethod
    def mutate(cls, _root, info, channel, month, day):
        requestor = info.context.requestor
        try:
            require_customer(requestor)
            birthdays.validate_birthday(month, day)
            program = program_for(info, channel)
            account = ledger.account_for(program, requestor.user_id, requestor.email)
            account = birthdays.set_birthday(account, month, day)
        except LoyaltyError as error:
            return cls(errors=error_list(error))
        return cls(
            errors=[],
            member=MemberView(
                program=program, account=account, user_id=requestor.user_id, email=requestor.email
            ),
        )
