"""A member read for the API in few queries, whatever the ledger's size.

The program comes with its ladder and the tiers' translated names in one query; the account comes
with what the member pages show about it (pending points, the tier's qualifying amount, the size of
its history) as correlated subqueries of the same statement, each an index range of that one
account. So `me` costs three queries with its history page, and a page of the member list the same
few queries for 5 or 100 members. The numbers are the ledger's own rules (`pending_points`,
`qualifying_amount`), only read alongside the row instead of after it.
"""

import re
from datetime import datetime
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, JSONObject

from saleor_loyalty.ledger.accounts import PENDING_KINDS
from saleor_loyalty.models import (
    LedgerEntry,
    LoyaltyAccount,
    LoyaltyProgram,
    Tier,
    TierBasis,
    TierTranslation,
)
from saleor_loyalty.tiers.ladder import AMOUNT_PLACES, MEMBER_QUALIFICATION_SQL, counted_kinds
from saleor_loyalty.tiers.windows import window_start

_PARAM = re.compile(r"%\((\w+)\)s")


def program_with_ladder(channel_slug: str) -> LoyaltyProgram | None:
    """The channel's program with its tiers (as `ladder` reads them) and their names by language.

    None when the channel has no program or a program without tiers (the caller then finds or
    creates it the ordinary way).
    """
    names = TierTranslation.objects.filter(tier=OuterRef("pk")).values(
        pair=JSONObject(code="language_code", name="name")
    )
    tiers = list(
        Tier.objects.filter(program__channel_slug=channel_slug)
        .select_related("program")
        .annotate(names=ArraySubquery(names))
        .order_by("position")
    )
    if not tiers:
        return None
    program = tiers[0].program
    for tier in tiers:
        tier.program = program
        tier.names = {pair["code"]: pair["name"] for pair in tier.names}
    program._prefetched_objects_cache = {"tiers": tiers}
    return program


def tier_names(program: LoyaltyProgram) -> dict | None:
    """{(tier id, language): name} when the ladder was read with its names, else None."""
    tiers = getattr(program, "_prefetched_objects_cache", {}).get("tiers")
    if tiers is None or not all(hasattr(tier, "names") for tier in tiers):
        return None
    return {(tier.pk, code): name for tier in tiers for code, name in tier.names.items()}


def _qualification(program: LoyaltyProgram, now: datetime) -> RawSQL:
    """The one-member qualification query, correlated to the outer account row."""
    outer = f'"{LoyaltyAccount._meta.db_table}"."id"'
    values = {**counted_kinds(program), "since": window_start(program, now)}
    params = []

    def bind(match):
        if match.group(1) == "account":
            return outer
        params.append(values[match.group(1)])
        return "%s"

    sql = _PARAM.sub(bind, MEMBER_QUALIFICATION_SQL)
    column = {TierBasis.SPEND: "spend", TierBasis.POINTS: "points", TierBasis.ORDERS: "orders"}[
        program.tier_basis
    ]
    return RawSQL(f"(SELECT q.{column} FROM ({sql}) AS q(spend, points, orders))", params)


def with_totals(accounts, program: LoyaltyProgram, now: datetime, *, history=False, qualification=False):
    """`accounts` annotated with `pending_sum` (and `entry_count`, `qualifying_sum` when asked)."""
    pending = (
        LedgerEntry.objects.filter(
            account=OuterRef("pk"),
            kind__in=PENDING_KINDS,
            available_at__gt=now,
        )
        .order_by()
        .values("account")
        .annotate(total=Sum("points"))
        .values("total")
    )
    accounts = accounts.annotate(pending_sum=Coalesce(Subquery(pending, output_field=IntegerField()), 0))
    if history:
        rows = (
            LedgerEntry.objects.filter(account=OuterRef("pk"))
            .order_by()
            .values("account")
            .annotate(total=Count("pk"))
            .values("total")
        )
        accounts = accounts.annotate(entry_count=Coalesce(Subquery(rows, output_field=IntegerField()), 0))
    if qualification:
        accounts = accounts.annotate(qualifying_sum=_qualification(program, now))
    return accounts


def member_with_totals(
    program: LoyaltyProgram, user_id: int, now: datetime, *, history=False, qualification=False
) -> LoyaltyAccount | None:
    """A signed-up customer's account in one query with its totals; None when they have none yet."""
    accounts = LoyaltyAccount.objects.filter(program=program, user_id=user_id, merged_into__isnull=True)
    return with_totals(accounts, program, now, history=history, qualification=qualification).first()


def read_amount(account: LoyaltyAccount | None):
    """The qualifying amount read with the account, quantized as `qualifying_amount` does; else None."""
    amount = getattr(account, "qualifying_sum", None)
    return None if amount is None else Decimal(amount).quantize(AMOUNT_PLACES)
