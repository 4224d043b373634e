import graphene

from saleor_loyalty.exceptions import CheckoutNotFound
from saleor_loyalty.graphql.ids import to_global_id, uuid_pk
from saleor_loyalty.graphql.member_types import Member, MemberView
from saleor_loyalty.graphql.money import MoneyType
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for
from saleor_loyalty.members.summary import find_account
from saleor_loyalty.rewards import redemption


class CardTransaction(graphene.ObjectType):
    id = graphene.ID(required=True, description="Saleor's TransactionItem ID of the authorization.")
    amount = graphene.Field(MoneyType, required=True, description="What the card is authorized to pay now.")
    payment_gateway = graphene.String(required=True, description="Saleor's gift-card gateway id.")

    class Meta:
        name = "LoyaltyCardTransaction"
        description = (
            "Where the channel takes gift cards only as payments (legacy gift-card use off): the member's card "
            "authorized on the checkout through Saleor's gift-card gateway, paying its balance up to what is owed."
        )

    @staticmethod
    def from_payment(payment, currency):
        return CardTransaction(
            id=to_global_id("TransactionItem", str(payment.transaction_token)),
            amount=MoneyType.of(payment.amount, currency),
            payment_gateway=payment.gateway,
        )


class LoyaltyRedeemPoints(ClubMutation):
    requested_points = graphene.Int(description="What was asked for.")
    applied_points = graphene.Int(description="What was redeemed after the program's per-checkout cap.")
    value = graphene.Field(
        MoneyType, description="Credit put on the member's card and applied to the checkout."
    )
    clamped_by = graphene.String(
        description="Why fewer points were applied than asked ('max_share'), or null."
    )
    card_transaction = graphene.Field(
        CardTransaction,
        description="How the card pays in the transaction flow; null where it went on as a promo code.",
    )
    member = graphene.Field(Member, description="The member after the redemption.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        checkout_id = graphene.ID(
            required=True, description="Saleor global ID of the customer's own open checkout."
        )
        points = graphene.Int(required=True, description="How many points to redeem.")
        request_key = graphene.String(
            required=True, description="Chosen by the storefront per attempt; repeating it redeems once."
        )

    class Meta:
        description = (
            "Redeem the signed-in customer's points on their checkout: the value goes on their personal "
            "store-credit gift card, which is applied to the checkout so Saleor charges less: as a promo code, or, "
            "in a channel without legacy gift-card use, as an authorized gift-card transaction (`cardTransaction`)."
        )

    customer_only = True
    # Redemption locks the account, writes the points and card credit and applies the card in its own
    # transaction, then hands the card to Saleor's gateway outside it (Saleor's own transactions).
    atomic = False

    @classmethod
    def perform(cls, info, channel, checkout_id, points, request_key):
        requestor = info.context.requestor
        program = program_for(info, channel)
        result = redemption.redeem(
            program,
            requestor.user_id,
            uuid_pk(checkout_id, "Checkout", "checkout_id", CheckoutNotFound),
            points,
            request_key,
            info.context.cards,
        )
        return {
            "requested_points": result.requested,
            "applied_points": result.applied,
            "value": MoneyType.from_money(result.value),
            "clamped_by": result.clamped_by,
            "card_transaction": result.card_payment
            and CardTransaction.from_payment(result.card_payment, program.currency),
            "member": MemberView(
                program=program,
                account=find_account(program, user_id=requestor.user_id),
                user_id=requestor.user_id,
                email=requestor.email,
            ),
        }
