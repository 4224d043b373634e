"""HTTP handling for the club endpoint: POST JSON GraphQL, GraphiQL on GET when enabled."""

import json
import logging

from django.http import HttpResponse, JsonResponse
from graphql.error import format_error

from .context import ClubContext
from .schema import schema

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_QUERY_LENGTH = 16 * 1024

GRAPHIQL_PAGE = """<!doctype html><html><head><title>Loyalty club GraphiQL</title>
<link rel="stylesheet" href="https://unpkg.com/graphiql@1.11.5/graphiql.min.css"/></head>
<body style="margin:0"><div id="graphiql" style="height:100vh"></div>
<script src="https://unpkg.com/react@17/umd/react.production.min.js"></script>
<script src="https://unpkg.com/react-dom@17/umd/react-dom.production.min.js"></script>
<script src="https://unpkg.com/graphiql@1.11.5/graphiql.min.js"></script>
<script>ReactDOM.render(React.createElement(GraphiQL,{fetcher:GraphiQL.createFetcher({url:location.href})}),
document.getElementById('graphiql'));</script></body></html>"""


def _bad_request(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": [{"message": message}]}, status=status)


def execute(body: dict, context: ClubContext) -> dict:
    result = schema.execute(
        body.get("query") or "", variable_values=body.get("variables") or {},
        operation_name=body.get("operationName"), context_value=context,
    )
    payload = {"data": result.data}
    if result.errors:
        for error in result.errors:
            if getattr(error, "original_error", None) and not getattr(error.original_error, "extensions", None):
                logger.error("Loyalty GraphQL error", exc_info=error.original_error)
        payload["errors"] = [format_error(error) for error in result.errors]
    return payload


def handle(request, context_factory, graphiql_enabled: bool) -> HttpResponse:
    """`context_factory(request) -> ClubContext` authenticates; it raises PermissionError for a bad token."""
    if request.method == "GET" and graphiql_enabled:
        return HttpResponse(GRAPHIQL_PAGE)
    if request.method != "POST":
        return _bad_request("Send GraphQL queries with POST.", 405)
    if len(request.body) > MAX_BODY_BYTES:
        return _bad_request("Request too large.", 413)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _bad_request("The body must be JSON.")
    if not isinstance(body, dict) or len(body.get("query") or "") > MAX_QUERY_LENGTH:
        return _bad_request("Expected a JSON object with a query of at most 16 KiB.")
    try:
        context = context_factory(request)
    except PermissionError as error:
        return JsonResponse(
            {"errors": [{"message": str(error), "extensions": {"exception": {"code": "INVALID_TOKEN"}}}]},
            status=401,
        )
    return JsonResponse(execute(body, context))
