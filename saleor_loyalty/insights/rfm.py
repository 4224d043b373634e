"""RFM quintiles per channel: the borders a night's scores are measured against, and the segment settings.

A value's score is 1 + floor(5 × members strictly below it / members), so ties always share a score (the
lowest of their group) and a tie is never split across two quintiles. The k-th border of a dimension is
the smallest value scoring k + 1: the first value above the one at position ceil(k·n/5) in order
(`percentile_disc` finds that one), null when no value is that high. A score is then 1 + the borders a
value reaches (`segment_sql`). Recency is the last order's time (later is better), frequency the order
count, monetary the spend net of refunds.
"""

from datetime import datetime
from decimal import Decimal

from django.db import connection

from saleor_loyalty.messages import consent
from saleor_loyalty.models import LoyaltyAccount, Medium, MemberOrderStats, SegmentSettings

SHRINKING = Decimal("0.8")  # the last three orders average under 80 % of the three before: a shrinking basket

_BORDERS_SQL = f"""
WITH s AS (SELECT st.last_order_at AS r, st.orders AS f, st.monetary AS m
           FROM {MemberOrderStats._meta.db_table} st JOIN {LoyaltyAccount._meta.db_table} a ON a.id = st.account_id
           WHERE st.program_id = %(program)s AND st.orders > 0 AND a.merged_into_id IS NULL),
p AS (SELECT count(*) AS n,
             percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY r) AS pr,
             percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY f) AS pf,
             percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY m) AS pm FROM s)
SELECT p.n, {", ".join(f"min(s.{d}) FILTER (WHERE s.{d} > p.p{d}[{k}])" for d in "rfm" for k in range(1, 5))}
FROM p LEFT JOIN s ON true GROUP BY p.n
"""


def compute_borders(program_id: int) -> dict:
    """Each dimension's four borders from the stored stats: three sorts and one scan."""
    with connection.cursor() as cursor:
        cursor.execute(_BORDERS_SQL, {"program": program_id})
        row = cursor.fetchone()
    n, values = row[0], row[1:]
    borders = {"members": n}
    for index, dimension in enumerate("rfm"):
        borders[dimension] = [_dump(value) for value in values[index * 4 : index * 4 + 4]]
    return borders


def _dump(value):
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


def email_hash(email: str) -> str:
    """The consent subject of the member's email (the stats statement computes the same in SQL)."""
    return consent.subject_hash(Medium.EMAIL, email) if consent.normalize_address(Medium.EMAIL, email) else ""


def settings_for(program) -> SegmentSettings:
    """The program's segment settings; unsaved defaults until staff change them."""
    return SegmentSettings.objects.filter(program=program).first() or SegmentSettings(program=program)
