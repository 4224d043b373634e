import graphene
from django.db import transaction

from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.graphql.errors import LoyaltyErrorType, error_list, require_customer, require_permission


class ClubMutation(graphene.Mutation):
    """Checks `authorize` (a Saleor permission, or a signed-in customer for `customer_only`), runs `perform`
    in one transaction, and turns domain errors into `errors`.

    A domain error raised anywhere in `perform` rolls back everything it wrote, so a failure writes nothing.
    """

    errors = graphene.List(
        graphene.NonNull(LoyaltyErrorType),
        required=True,
        description="What was wrong with the input; empty when the mutation succeeded (and then only).",
    )

    permission: str = ""
    customer_only = False
    # False only where the engine function owns its transactions (it says why); it still writes nothing on error.
    atomic = True

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, _root, info, **data):
        try:
            cls.authorize(info.context.requestor, data["channel"])
            if not cls.atomic:
                return cls(errors=[], **cls.perform(info, **data))
            with transaction.atomic():
                return cls(errors=[], **cls.perform(info, **data))
        except LoyaltyError as error:
            return cls(errors=error_list(error))

    @classmethod
    def authorize(cls, requestor, channel: str) -> None:
        if cls.customer_only:
            require_customer(requestor)
        else:
            require_permission(requestor, cls.permission, channel)

    @classmethod
    def perform(cls, info, **data) -> dict:
        raise NotImplementedError
