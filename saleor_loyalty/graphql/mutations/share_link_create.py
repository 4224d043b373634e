import graphene

from saleor_loyalty import ledger
from saleor_loyalty.engagement import share_links
from saleor_loyalty.graphql.mutations.base import ClubMutation
from saleor_loyalty.graphql.resolvers import program_for


class LoyaltyShareLinkCreate(ClubMutation):
    url = graphene.String(description="The link to share; it opens the page on the storefront.")

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel's slug.")
        target = graphene.String(
            required=True,
            description=f"The storefront path to share, e.g. /products/shirt/ (≤ {share_links.MAX_TARGET}).",
        )

    class Meta:
        description = (
            "The signed-in customer's share link to a storefront page: visits by other people earn them the "
            "social-share action (their own visits never do)."
        )

    customer_only = True

    @classmethod
    def perform(cls, info, channel, target):
        requestor = info.context.requestor
        program = program_for(info, channel)
        account = ledger.account_for(program, requestor.user_id, requestor.email)
        _link, url = share_links.share_link(account, target, info.context.client_ip)
        return {"url": url}
