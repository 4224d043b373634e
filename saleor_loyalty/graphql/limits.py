"""Guard rails of the club endpoint: what a request may cost before anything runs for it.

Every check below runs before authentication and before any resolver, and each costs time linear in
the request (the body is read once, the query parsed once, the parsed document walked once):

- **Body** at most `MAX_BODY_BYTES` (256 KiB, room for long variable lists); the query text at most
  `MAX_QUERY_LENGTH` (16 KiB). One `json.loads` (deep JSON nesting is a typed error, not a crash).
- **Shape**: `query` a string, `variables` an object or null, `operationName` a string or null.
- **Strings**: no NUL byte in the query or in any string variable (PostgreSQL refuses NUL), no string
  longer than `MAX_STRING_LENGTH` in variables or query literals. One walk over the variables.
- **Nesting** of brackets in the raw text at most `MAX_NESTING`, counted in one scan before parsing:
  graphql-core's parser recurses per level and would hit Python's recursion limit.
- Then `query_limits.analyse` walks the parsed document once per operation and once per fragment
  (each fragment's figures are computed once and looked up at every spread; a spread cycle is
  refused), so a fragment spread eight times into a fragment spread eight times costs eight
  look-ups, not 8^levels walks. It checks depth (`MAX_DEPTH`; the `__schema`/`__type` introspection
  subtrees are exempt and held to their own cost budget instead), cost (`MAX_COST`, Saleor-style:
  page size × children, page sizes `first`/`last` 1 to `MAX_PAGE`, as the resolvers demand — else a typed error),
  root fields per operation (`MAX_ROOT_FIELDS`), aliases (`MAX_ALIASES`), fragments
  (`MAX_FRAGMENTS`) and repeats of one response key in one selection set (`MAX_SAME_KEY`; graphql-core's
  overlapping-fields validation compares such repeats pairwise, quadratic in their number).

Only then does the caller authenticate and graphql-core validate and execute the parsed document.
"""

import json
from dataclasses import dataclass

from saleor_loyalty.error_codes import LoyaltyErrorCode

MAX_BODY_BYTES = 256 * 1024
MAX_QUERY_LENGTH = 16 * 1024
MAX_STRING_LENGTH = 2000
MAX_NESTING = 32  # the standard introspection query nests 16 brackets deep
MAX_DEPTH = 12  # the deepest real query (members → edges → node → transactions → edges → node) is 7
MAX_PAGE = 100  # Saleor's cap on `first`/`last`
MAX_COST = 5_000  # ≈ 500 SQL statements at worst (bench/guards.py): a composite field is about one per parent
MAX_ROOT_FIELDS = 10  # a storefront page needs ~5 (me, earlyAccess, checkoutPreview, …); so does a dashboard
MAX_ALIASES = 100  # Saleor's GRAPHQL_ALIAS_COUNT_LIMIT
MAX_FRAGMENTS = 50
MAX_SAME_KEY = 3


@dataclass
class RequestRefused(Exception):
    """A request refused before anything ran for it, answered in the endpoint's coded error shape."""

    message: str
    code: LoyaltyErrorCode
    status: int = 400
    field: str | None = None

    def as_error(self) -> dict:
        exception = {"code": self.code.name}
        if self.field:
            exception["field"] = self.field
        return {"message": self.message, "extensions": {"exception": exception}}


@dataclass(frozen=True)
class GraphQLRequest:
    query: str
    variables: dict
    operation_name: str | None


def read_request(raw: bytes) -> GraphQLRequest:
    """The body as a GraphQL request, or RequestRefused; each byte is looked at a constant number of times."""
    if len(raw) > MAX_BODY_BYTES:
        raise RequestRefused(
            f"Request too large (at most {MAX_BODY_BYTES // 1024} KiB).",
            LoyaltyErrorCode.REQUEST_TOO_LARGE,
            413,
        )
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RequestRefused("The body must be JSON.", LoyaltyErrorCode.BAD_REQUEST) from None
    if not isinstance(body, dict):
        raise RequestRefused("The body must be a JSON object.", LoyaltyErrorCode.BAD_REQUEST)
    query = body.get("query")
    variables = body.get("variables")
    operation_name = body.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise RequestRefused(
            "`query` must be a non-empty string.", LoyaltyErrorCode.BAD_REQUEST, field="query"
        )
    if len(query) > MAX_QUERY_LENGTH:
        raise RequestRefused(
            f"Expected a JSON object with a query of at most {MAX_QUERY_LENGTH // 1024} KiB.",
            LoyaltyErrorCode.REQUEST_TOO_LARGE,
            field="query",
        )
    if variables is not None and not isinstance(variables, dict):
        raise RequestRefused(
            "`variables` must be an object.", LoyaltyErrorCode.BAD_REQUEST, field="variables"
        )
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestRefused(
            "`operationName` must be a string.", LoyaltyErrorCode.BAD_REQUEST, field="operationName"
        )
    if "\x00" in query:
        raise RequestRefused("The query contains a NUL character.", LoyaltyErrorCode.INVALID, field="query")
    check_strings(variables or {})
    check_nesting(query)
    return GraphQLRequest(query, variables or {}, operation_name)


def check_string(value: str, where: str) -> None:
    if "\x00" in value:
        raise RequestRefused(f"{where} contains a NUL character.", LoyaltyErrorCode.INVALID, field=where)
    if len(value) > MAX_STRING_LENGTH:
        raise RequestRefused(
            f"{where} is longer than {MAX_STRING_LENGTH} characters.", LoyaltyErrorCode.INVALID, field=where
        )


def check_strings(variables: dict) -> None:
    """Every string (keys too) in the variables, iteratively: JSON nesting cannot exhaust the stack."""
    pending = [("variables", variables)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, str):
            check_string(value, where)
        elif isinstance(value, dict):
            for key, item in value.items():
                check_string(key, where)
                pending.append((f"{where}.{key}" if where == "variables" else where, item))
        elif isinstance(value, list):
            pending.extend((where, item) for item in value)


def check_nesting(query: str) -> None:
    """Bracket nesting of the raw text, skipping strings and comments; one scan, before the parser recurses."""
    depth = deepest = 0
    index, length = 0, len(query)
    while index < length:
        char = query[index]
        if char == "#":
            end = query.find("\n", index)
            index = length if end < 0 else end
        elif char == '"':
            if query.startswith('"""', index):
                end = query.find('"""', index + 3)
                index = length if end < 0 else end + 3
                continue
            index += 1
            while index < length and query[index] not in '"\n':
                index += 2 if query[index] == "\\" else 1
        elif char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth -= 1
        index += 1
    if deepest > MAX_NESTING:
        raise RequestRefused(
            f"The query's brackets nest deeper than {MAX_NESTING} levels.", LoyaltyErrorCode.QUERY_TOO_DEEP
        )
