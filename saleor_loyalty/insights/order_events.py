"""What an order event means to insights: the member's segments now, flow attribution, what they bought.

Called by `tasks.sync_order_task` after the ledger has recorded the order (so the order is among the
facts the segments read). Every step converges: the stats are recomputed from the ledger, attribution
keeps a run's first order, line facts are unique per (order, line).
"""

from dataclasses import dataclass
from datetime import datetime

from saleor_loyalty.core.facts import OrderFacts
from saleor_loyalty.insights import flow_stats, segments
from saleor_loyalty.ledger.accounts import effective_account, normalize_email
from saleor_loyalty.models import LoyaltyAccount, OrderLineFact


@dataclass(frozen=True)
class LineCatalogFacts:
    """Where an order line's product sits in Saleor's catalogue (read by the adapter)."""

    line_id: str
    product_id: int | None
    category_id: int | None
    collection_ids: tuple[int, ...] = ()


def member_for(facts: OrderFacts) -> LoyaltyAccount | None:
    accounts = LoyaltyAccount.objects.select_related("program", "merged_into").filter(
        program__channel_slug=facts.channel_slug
    )
    if facts.user_id is not None:
        account = accounts.filter(user_id=facts.user_id).first()
    else:
        account = accounts.filter(
            user_id__isnull=True, merged_into__isnull=True, email=normalize_email(facts.email)
        ).first()
    return effective_account(account) if account is not None else None


def on_order(facts: OrderFacts, now: datetime, lines: list[LineCatalogFacts] = ()) -> None:
    account = member_for(facts)
    if account is None:
        return
    if facts.is_paid and not facts.is_cancelled:
        flow_stats.record_order(account.pk, facts.order_id, facts.total_gross, facts.paid_at or now)
        if lines:
            OrderLineFact.objects.bulk_create(
                [
                    OrderLineFact(
                        program_id=account.program_id,
                        account=account,
                        order_id=facts.order_id,
                        line_id=line.line_id[:64],
                        product_id=line.product_id,
                        category_id=line.category_id,
                        collection_ids=list(line.collection_ids),
                        ordered_at=facts.paid_at or now,
                    )
                    for line in lines
                ],
                ignore_conflicts=True,
            )
    segments.refresh_member(account, now)
