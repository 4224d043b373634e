import graphene

from saleor_loyalty.engagement import actions
from saleor_loyalty.exceptions import InvalidConsentInput, NotYourCheckout
from saleor_loyalty.graphql.consent import ConsentStateType, consent_view
from saleor_loyalty.graphql.enums import ConsentMediumEnum, choices_enum
from saleor_loyalty.graphql.errors import Unauthenticated
from saleor_loyalty.graphql.ids import uuid_pk
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.messages import consent
from saleor_loyalty.models import BuiltinAction, ConsentAction, ConsentSource, Medium

CUSTOMER_SOURCES = (
    ConsentSource.CHECKOUT_CHECKBOX,
    ConsentSource.ACCOUNT_PAGE,
    ConsentSource.NEWSLETTER_SIGNUP,
)
ConsentSourceEnum = choices_enum(
    "LoyaltyConsentSource", CUSTOMER_SOURCES, "Where a customer gave or withdrew consent."
)


def _checkout_of_caller(context, checkout_id):
    """The checkout's contact, when the caller holds it: a guest checkout's token, or their own checkout."""
    token = uuid_pk(checkout_id, "Checkout", "checkout_id", InvalidConsentInput)
    checkout = context.shop.checkout_contact(token) if context.shop else None
    if checkout is None:
        raise InvalidConsentInput("That checkout does not exist.", "checkout_id")
    if checkout.user_id is not None and checkout.user_id != context.requestor.user_id:
        raise NotYourCheckout("That checkout belongs to someone else.", "checkout_id")
    return checkout


class LoyaltyConsentSet(ClubMutation):
    consent = graphene.Field(ConsentStateType, description="The consent as recorded now.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        medium = ConsentMediumEnum(required=True, description="Email or SMS.")
        granted = graphene.Boolean(required=True, description="True to opt in, false to opt out.")
        source = ConsentSourceEnum(required=True, description="Where the customer gave it (the form).")
        wording = graphene.String(
            description="The exact text shown next to the checkbox (required to grant)."
        )
        locale = graphene.String(description="Language of the wording the customer saw.")
        opt_in = graphene.Boolean(
            description="A newsletter sign-up counts only when this is explicitly true."
        )
        phone = graphene.String(
            description="The number, for SMS consent: one on the customer's Saleor addresses or on the checkout."
        )
        checkout_id = graphene.ID(description="A guest at checkout: consent for this checkout's email.")

    class Meta:
        description = (
            "Give or withdraw one's own marketing consent (signed-in customer, or the checkout's holder)."
        )

    @classmethod
    def authorize(cls, requestor, channel):
        """Anyone may call; `perform` decides whose consent it is (their own, or their checkout's)."""

    @classmethod
    def perform(
        cls,
        info,
        channel,
        medium,
        granted,
        source,
        wording=None,
        locale=None,
        opt_in=None,
        phone=None,
        checkout_id=None,
    ):
        program_for(info, channel)  # an unknown channel gets no consent rows
        context = info.context
        user_id = context.requestor.user_id
        if user_id is None and checkout_id is None:
            raise Unauthenticated("Sign in, or give your checkout, to set your consent.")
        checkout = _checkout_of_caller(context, checkout_id) if checkout_id is not None else None
        if medium == Medium.SMS:
            if not phone:
                raise InvalidConsentInput("A phone number is required for SMS consent.", "phone")
            owned = (
                set(context.shop.customer_phones(user_id)) if user_id is not None and context.shop else set()
            )
            if checkout is not None:
                owned.add(checkout.phone)
            address = consent.require_owned_phone(phone, owned)
        elif user_id is not None:
            address = context.requestor.email
        else:
            address = checkout.email
            if not address:
                raise InvalidConsentInput("That checkout has no email.", "checkout_id")
        consent.record(
            channel,
            medium,
            address,
            ConsentAction.GRANT if granted else ConsentAction.WITHDRAW,
            source,
            wording=wording or "",
            locale=locale or "",
            ip=context.client_ip,
            user_id=user_id,
            opt_in=opt_in is True,
        )
        if granted and source == ConsentSource.NEWSLETTER_SIGNUP and user_id is not None:
            # Recorded as consent first (explicit opt-in, §30A): only then does the sign-up earn, once.
            actions.record_builtin(BuiltinAction.NEWSLETTER_SIGNUP, user_id, context.requestor.email, channel)
        return {"consent": consent_view(channel, medium, address)}
