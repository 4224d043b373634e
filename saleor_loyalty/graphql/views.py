"""HTTP handling for the club endpoint: POST JSON GraphQL, GraphiQL on GET when enabled."""

import logging
from collections import Counter
from contextvars import ContextVar

from django.db import DataError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from graphql import parse
from graphql.error import GraphQLSyntaxError, format_error

from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.graphql import limits, query_limits
from saleor_loyalty.graphql.context import ClubContext
from saleor_loyalty.graphql.limits import MAX_BODY_BYTES, MAX_DEPTH, MAX_QUERY_LENGTH, RequestRefused
from saleor_loyalty.graphql.schema import schema

__all__ = ["MAX_BODY_BYTES", "MAX_DEPTH", "MAX_QUERY_LENGTH", "handle", "query_depth"]

logger = logging.getLogger(__name__)
_executing_club_request = ContextVar("executing_club_request", default=False)


class _OneLinePerRequest(logging.Filter):
    """graphql-core logs a traceback per failing field (hundreds for hundreds of aliases); while the club
    executes, `_log_once` writes the request's single line instead. Saleor's own requests are untouched."""

    def filter(self, record) -> bool:
        return not _executing_club_request.get()


for _name in ("graphql.execution.executor", "graphql.execution.utils"):
    logging.getLogger(_name).addFilter(_OneLinePerRequest())
PRICING = query_limits.pricing(schema)

# GraphiQL's assets ship in the package (dashboard/static/graphiql, built from frontend/): nothing loads from a
# CDN, so the explorer works offline and under this strict policy (GraphiQL sets inline styles, nothing else inline).
GRAPHIQL_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)


def graphiql_page(endpoint_path: str) -> HttpResponse:
    """The explorer for the endpoint at `endpoint_path`; its assets sit beside it under `…/graphiql/`."""
    assets = escape(endpoint_path.rstrip("/").rsplit("/", 1)[0] + "/graphiql")
    response = HttpResponse(
        '<!doctype html><html><head><meta charset="utf-8"><title>Loyalty club GraphiQL</title>'
        f'<link rel="stylesheet" href="{assets}/graphiql.css"></head>'
        '<body style="margin:0"><div id="graphiql" style="height:100vh"></div>'
        f'<script src="{assets}/graphiql.js"></script></body></html>'
    )
    response["Content-Security-Policy"] = GRAPHIQL_POLICY
    response["Cache-Control"] = "no-cache"
    return response


def _refused(refusal: RequestRefused) -> JsonResponse:
    return JsonResponse({"errors": [refusal.as_error()]}, status=refusal.status)


def query_depth(query: str) -> int:
    """Deepest selection of any operation, following fragments (0 for text that does not parse)."""
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return 0
    return query_limits.depth(schema, document, PRICING)


def check(request: limits.GraphQLRequest):
    """Parse once and apply every limit; the parsed document, or RequestRefused. Runs before authentication."""
    try:
        document = parse(request.query)
    except GraphQLSyntaxError as error:
        raise RequestRefused(error.message, LoyaltyErrorCode.BAD_REQUEST) from None
    query_limits.analyse(schema, document, request.variables, PRICING)
    return document


def _format(error) -> dict:
    original = getattr(error, "original_error", None)
    if isinstance(original, DataError):
        # A value PostgreSQL refused (too long for its column): typed, and the mutation's transaction is gone.
        return {
            **format_error(error),
            "message": "A value is too long or not allowed here.",
            "extensions": {"exception": {"code": LoyaltyErrorCode.INVALID.name}},
        }
    return format_error(error)


def _log_once(errors) -> None:
    """One log line per request, however many aliases failed: distinct messages counted, first traceback."""
    unexpected = [
        error.original_error
        for error in errors
        if getattr(error, "original_error", None) and not getattr(error.original_error, "extensions", None)
    ]
    if not unexpected:
        return
    summary = Counter(f"{type(error).__name__}: {error}"[:200] for error in unexpected)
    logger.error(
        "Loyalty GraphQL request: %d unexpected error(s): %s",
        len(unexpected),
        "; ".join(f"{count} × {message}" for message, count in summary.most_common(5)),
        exc_info=unexpected[0],
    )


def execute(document, request: limits.GraphQLRequest, context: ClubContext) -> dict:
    token = _executing_club_request.set(True)
    try:
        result = schema.execute(
            document,
            variable_values=request.variables,
            operation_name=request.operation_name,
            context_value=context,
        )
    finally:
        _executing_club_request.reset(token)
    payload = {"data": result.data}
    if result.errors:
        _log_once(result.errors)
        payload["errors"] = [_format(error) for error in result.errors]
    return payload


def handle(request, context_factory, graphiql_enabled: bool) -> HttpResponse:
    """`context_factory(request) -> ClubContext` authenticates; it raises PermissionError for a bad token.
    Every limit (limits.py) is applied before it runs, so a refused request never authenticates."""
    if request.method == "GET" and graphiql_enabled:
        return graphiql_page(request.path)
    if request.method != "POST":
        return _refused(RequestRefused("Send GraphQL queries with POST.", LoyaltyErrorCode.BAD_REQUEST, 405))
    try:
        graphql_request = limits.read_request(request.body)
        document = check(graphql_request)
    except RequestRefused as refusal:
        logger.info("Loyalty GraphQL request refused: %s", refusal.message)
        return _refused(refusal)
    try:
        context = context_factory(request)
    except PermissionError as error:
        refusal = RequestRefused(str(error), LoyaltyErrorCode.INVALID_TOKEN, 401)
        return _refused(refusal)
    return JsonResponse(execute(document, graphql_request, context))
