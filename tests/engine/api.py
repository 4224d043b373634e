"""Calling the club schema as the endpoint does, with an engine-tier context (no Saleor behind it)."""

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.graphql.context import ClubContext
from saleor_loyalty.graphql.schema import schema

ANONYMOUS = Requestor()
STAFF_PERMISSIONS = frozenset({"MANAGE_USERS", "MANAGE_SETTINGS"})


def run(query, requestor=ANONYMOUS, cards=None, *, catalog=None, shop=None, variants=None, **variables):
    context = ClubContext(
        requestor=requestor,
        cards=cards,
        catalog=catalog,
        shop=shop,
        client_ip="198.51.100.4",
        variants=variants,
    )
    return schema.execute(query, variable_values=variables, context_value=context)
