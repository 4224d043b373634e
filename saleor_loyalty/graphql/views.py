"""HTTP handling for the club endpoint: POST JSON GraphQL, GraphiQL on GET when enabled."""

import json
import logging

from django.http import HttpResponse, JsonResponse
from graphql import parse
from graphql.error import GraphQLSyntaxError, format_error
from graphql.language import ast

from saleor_loyalty.graphql.context import ClubContext
from saleor_loyalty.graphql.schema import schema

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_QUERY_LENGTH = 16 * 1024
MAX_DEPTH = 12  # the deepest real query (members → edges → node → transactions → edges → node) is 7

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


def query_depth(query: str) -> int:
    """Deepest selection of any operation, following fragments (a fragment cycle counts as too deep)."""
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return 0  # execution answers the syntax error itself
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, ast.FragmentDefinition)}

    def depth(selection_set, seen: frozenset) -> int:
        deepest = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, ast.FragmentSpread):
                name = selection.name.value
                if name in seen:
                    return MAX_DEPTH + 1
                fragment = fragments.get(name)
                deepest = max(deepest, depth(fragment.selection_set, seen | {name}) if fragment else 0)
            elif isinstance(selection, ast.InlineFragment):
                deepest = max(deepest, depth(selection.selection_set, seen))
            else:
                deepest = max(deepest, 1 + depth(selection.selection_set, seen))
        return deepest

    return max(
        (
            depth(d.selection_set, frozenset())
            for d in document.definitions
            if isinstance(d, ast.OperationDefinition)
        ),
        default=0,
    )


def execute(body: dict, context: ClubContext) -> dict:
    result = schema.execute(
        body.get("query") or "",
        variable_values=body.get("variables") or {},
        operation_name=body.get("operationName"),
        context_value=context,
    )
    payload = {"data": result.data}
    if result.errors:
        for error in result.errors:
            if getattr(error, "original_error", None) and not getattr(
                error.original_error, "extensions", None
            ):
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
    if query_depth(body.get("query") or "") > MAX_DEPTH:
        return _bad_request(f"The query is nested deeper than {MAX_DEPTH} levels.")
    try:
        context = context_factory(request)
    except PermissionError as error:
        return JsonResponse(
            {"errors": [{"message": str(error), "extensions": {"exception": {"code": "INVALID_TOKEN"}}}]},
            status=401,
        )
    return JsonResponse(execute(body, context))
