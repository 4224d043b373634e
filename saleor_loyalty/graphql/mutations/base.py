import graphene
from django.db import transaction

from ...exceptions import LoyaltyError
from ..errors import LoyaltyErrorType, error_list, require_permission


class ClubMutation(graphene.Mutation):
    """Checks the permission, runs `perform` in one transaction, and turns domain errors into `errors`.

    A domain error raised anywhere in `perform` rolls back everything it wrote, so a failure writes nothing.
    """

    errors = graphene.List(graphene.NonNull(LoyaltyErrorType), required=True)

    permission: str = ""

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, _root, info, **data):
        try:
            require_permission(info.context.requestor, cls.permission)
            with transaction.atomic():
                return cls(errors=[], **cls.perform(info, **data))
        except LoyaltyError as error:
            return cls(errors=error_list(error))

    @classmethod
    def perform(cls, info, **data) -> dict:
        raise NotImplementedError
