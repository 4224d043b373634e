"""Keyset pages for every list the club API answers: newest first, stable while rows are appended.

Pages are cut on the primary key (`pk < after`), so a row written while a client pages through
neither shifts a page already read nor appears twice. Page sizes follow Saleor: 1-100, and
anything else is a typed error rather than a silent clamp.
"""

import base64
import binascii
from dataclasses import dataclass

import graphene

from saleor_loyalty.exceptions import LoyaltyError

MAX_PAGE = 100
MAX_CURSOR_LENGTH = 64


class PageInfo(graphene.ObjectType):
    """Where a page ends, and whether another follows."""

    has_next_page = graphene.Boolean(required=True, description="More rows follow this page.")
    end_cursor = graphene.String(description="Give it as `after` to read the next page.")

    class Meta:
        name = "LoyaltyPageInfo"


def page_size(first) -> int:
    if isinstance(first, bool) or not isinstance(first, int) or not 1 <= first <= MAX_PAGE:
        raise LoyaltyError(f"Ask for 1 to {MAX_PAGE} rows at a time.", "first")
    return first


def cursor_for(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


def after_pk(cursor: str | None, kind: str) -> int | None:
    """The primary key a cursor of this list points at; a cursor of another list is refused."""
    if not cursor:
        return None
    if isinstance(cursor, str) and len(cursor) <= MAX_CURSOR_LENGTH:
        try:
            found, value = base64.b64decode(cursor, validate=True).decode().split(":", 1)
            if found == kind and value.isascii() and value.isdigit():
                return int(value)
        except (ValueError, UnicodeDecodeError, binascii.Error):
            pass
    raise LoyaltyError("Invalid cursor.", "after")


@dataclass(frozen=True)
class Page:
    rows: list
    cursors: list[str]
    page_info: PageInfo
    total_count: int | None = None


def keyset_page(rows, first, after: str | None, kind: str, count: bool = True) -> Page:
    """One page of `rows` (a queryset), newest first, with cursors of `kind`."""
    size = page_size(first)
    after_id = after_pk(after, kind)
    total = rows.count() if count else None
    rows = rows.order_by("-pk")
    if after_id is not None:
        rows = rows.filter(pk__lt=after_id)
    return page_of(list(rows[: size + 1]), size, kind, total)


def page_of(found: list, size: int, kind: str, total: int | None = None) -> Page:
    """The page of `size` rows out of `found` (newest first, one more than the page when more follow)."""
    page = found[:size]
    cursors = [cursor_for(kind, row.pk) for row in page]
    return Page(
        rows=page,
        cursors=cursors,
        page_info=PageInfo(has_next_page=len(found) > size, end_cursor=cursors[-1] if cursors else None),
        total_count=total,
    )


def connection(connection_type, edge_type, page: Page, node=lambda row: row):
    """A `<X>Connection` with edges and pageInfo (and totalCount when the type has it)."""
    edges = [
        edge_type(node=node(row), cursor=cursor) for row, cursor in zip(page.rows, page.cursors, strict=True)
    ]
    extra = {"total_count": page.total_count} if page.total_count is not None else {}
    return connection_type(edges=edges, page_info=page.page_info, **extra)


def connection_types(name: str, node_type, with_total: bool = True):
    """`<name>Connection` and `<name>Edge` for a node type, in Relay's shape."""
    edge = type(
        f"{name}Edge",
        (graphene.ObjectType,),
        {
            "__doc__": f"One {name} in a page, with the cursor that points at it.",
            "node": graphene.Field(node_type, required=True, description=f"The {name}."),
            "cursor": graphene.String(
                required=True, description="Give it as `after` to read on after this row."
            ),
        },
    )
    fields = {
        "__doc__": f"A page of {name} rows, newest first.",
        "edges": graphene.List(graphene.NonNull(edge), required=True, description="The rows of this page."),
        "page_info": graphene.Field(
            PageInfo, required=True, description="Whether and how to read the next page."
        ),
    }
    if with_total:
        fields["total_count"] = graphene.Int(required=True, description="Rows in the whole list.")
    return type(f"{name}Connection", (graphene.ObjectType,), fields), edge
