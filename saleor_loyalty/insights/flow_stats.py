"""Flow attribution and statistics: which order a flow brought back, and what the holdout did meanwhile.

As in cart recovery: an order within the flow's attribution window after the run's last message that
really went out (SENT) converts that run; a holdout run converts when the member orders within the
window after it started. Any order stops the member's active win-back runs. An order converts at most
one run (the most recently messaged; holdouts after messaged ones), and a run keeps the first order that
converted it, so a replayed order event changes nothing. Lift = converted rate − holdout rate.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Sum

from saleor_loyalty.models import Flow, FlowRun, FlowRunState, MessageLog, MessageStatus

WINBACK = ("winback_at_risk", "winback_lapsed")


def record_order(account_id: int, order_id, revenue: Decimal, ordered_at: datetime) -> FlowRun | None:
    """Stop the member's active win-backs and attribute the order to at most one run; returns that run."""
    with transaction.atomic():
        runs = list(
            FlowRun.objects.select_for_update(of=("self",))
            .select_related("flow")
            .filter(account_id=account_id, started_at__lte=ordered_at)
            .order_by(F("last_sent_at").desc(nulls_last=True), "-started_at", "-pk")
        )
        if any(run.converted_order_id == order_id for run in runs):
            return None
        credited = None
        for run in runs:
            if credited is not None or run.converted_order_id is not None:
                continue
            window = timedelta(days=run.flow.attribution_days)
            messaged = run.last_sent_at is not None and run.last_sent_at <= ordered_at
            if (run.state == FlowRunState.HOLDOUT and ordered_at - run.started_at <= window) or (
                run.state != FlowRunState.HOLDOUT and messaged and ordered_at - run.last_sent_at <= window
            ):
                run.converted_order_id, run.converted_revenue, run.converted_at = (
                    order_id,
                    revenue,
                    ordered_at,
                )
                run.save(update_fields=["converted_order_id", "converted_revenue", "converted_at"])
                credited = run
        FlowRun.objects.filter(
            account_id=account_id, state=FlowRunState.ACTIVE, flow__kind__in=WINBACK
        ).update(state=FlowRunState.STOPPED, state_reason="ordered", next_action_at=None)
    return credited


@dataclass(frozen=True)
class FlowStats:
    started: int
    messaged: int
    messages_sent: int
    converted: int
    revenue: Decimal
    conversion_rate: Decimal | None
    holdout: int
    holdout_converted: int
    holdout_rate: Decimal | None
    lift: Decimal | None


EMPTY = FlowStats(0, 0, 0, 0, Decimal(0), None, 0, 0, None, None)


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def stats(flow: Flow, since: datetime, until: datetime) -> FlowStats:
    """Runs started in [since, until) and what became of them; the treated group is every run not held out."""
    runs = FlowRun.objects.filter(flow=flow, started_at__gte=since, started_at__lt=until)
    treated = ~Q(state=FlowRunState.HOLDOUT)
    totals = runs.aggregate(
        started=Count("pk"),
        messaged=Count("pk", filter=treated & Q(messages_sent__gt=0)),
        converted=Count("pk", filter=treated & Q(converted_order_id__isnull=False)),
        revenue=Sum("converted_revenue", filter=treated),
        holdout=Count("pk", filter=Q(state=FlowRunState.HOLDOUT)),
        holdout_converted=Count("pk", filter=Q(state=FlowRunState.HOLDOUT, converted_order_id__isnull=False)),
    )
    sent = MessageLog.objects.filter(
        claim_key__startswith=f"flow:{flow.pk}:",
        status=MessageStatus.SENT,
        sent_at__gte=since,
        sent_at__lt=until,
    ).count()
    treated_count = totals["started"] - totals["holdout"]
    rate = _rate(totals["converted"], treated_count)
    holdout_rate = _rate(totals["holdout_converted"], totals["holdout"])
    return FlowStats(
        started=totals["started"],
        messaged=totals["messaged"],
        messages_sent=sent,
        converted=totals["converted"],
        revenue=totals["revenue"] or Decimal(0),
        conversion_rate=rate,
        holdout=totals["holdout"],
        holdout_converted=totals["holdout_converted"],
        holdout_rate=holdout_rate,
        lift=(rate - holdout_rate) if rate is not None and holdout_rate is not None else None,
    )
