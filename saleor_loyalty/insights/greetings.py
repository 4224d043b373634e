"""Birthday and membership-anniversary greetings: flows of the same kind as win-back, started once a year.

Hourly (each program's local day comes in its own timezone): members celebrating today get a run keyed
`birthday:<year>` or `anniversary:<year>`; the run's unique key makes a second pass, a second worker or a
second beat that day start nothing. Members are read in keyset batches, so a run's memory is bounded.
The birthday message names the tier's gift (which `benefits/birthdays.py` gives, once, separately).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone

from saleor_loyalty.benefits.birthdays import celebrated_today
from saleor_loyalty.core.clock import local_date
from saleor_loyalty.insights.winback import start_runs
from saleor_loyalty.models import Flow, FlowKind, LoyaltyAccount

BATCH = 2000


def _members(program, today, kind):
    members = LoyaltyAccount.objects.filter(program=program, merged_into__isnull=True).exclude(email="")
    if kind == FlowKind.BIRTHDAY:
        return members.filter(celebrated_today(today))
    zone = ZoneInfo(program.timezone)
    return members.annotate(
        joined_month=ExtractMonth("created_at", tzinfo=zone),
        joined_day=ExtractDay("created_at", tzinfo=zone),
        joined_year=ExtractYear("created_at", tzinfo=zone),
    ).filter(joined_month=today.month, joined_day=today.day, joined_year__lt=today.year)


def start_greetings(now: datetime | None = None) -> int:
    """Start today's birthday and anniversary runs in every program whose flow is on; returns runs started."""
    now = now or timezone.now()
    started = 0
    for flow in Flow.objects.select_related("program").filter(
        enabled=True, kind__in=(FlowKind.BIRTHDAY, FlowKind.ANNIVERSARY)
    ):
        program = flow.program
        if not program.gives_value():
            continue
        today = local_date(now, program.timezone)
        after = 0
        while True:
            batch = list(
                _members(program, today, flow.kind)
                .filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", "email")[:BATCH]
            )
            if not batch:
                break
            started += start_runs(flow, batch, f"{flow.kind}:{today.year}", now)
            after = batch[-1][0]
    return started
