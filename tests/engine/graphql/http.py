"""POST a body to the club view as the plugin's webhook would, with a given caller."""

import json

from django.test import RequestFactory

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.graphql import views
from saleor_loyalty.graphql.context import ClubContext


def anonymous(_request):
    return ClubContext(requestor=Requestor())


def never(_request):
    raise AssertionError("authenticated a request that should have been refused")


def post(body, context_factory=anonymous):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = RequestFactory().post("/graphql/", raw, content_type="application/json")
    response = views.handle(request, context_factory, graphiql_enabled=False)
    return response.status_code, json.loads(response.content)


def code(body) -> str:
    return body["errors"][0]["extensions"]["exception"]["code"]
