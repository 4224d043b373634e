"""Tracking endpoints (open pixel, click redirect) against a raw single-row insert, in the same run.

    bash scripts/bench.sh tracking [--hits N] [--rounds R] [--db-suffix S]

The handler is called as the plugin's webhook calls it (a Django request, the path after the plugin
id): verify the HMAC tag, look up the frozen variant's link (cached), one INSERT, answer the GIF or the
302. The baseline is one autocommit INSERT of the same columns into a bare table. Raw and handler run
in alternating rounds (the machine's load drifts); medians are printed. Target: handler >= 0.5 x raw.
The SMS campaigns' short click link (`/t/s/`, base-36 ids and a shorter tag) is measured too.
Runs in a fresh database (`loyalty_bench_tracking<suffix>`); Saleor's own HTTP stack is not in the measurement.
"""

import argparse
import statistics
import time
from datetime import UTC, datetime

from fresh_database import setup_django

BENCH_DATABASE = "loyalty_bench_tracking"


def raw_rate(count: int) -> float:
    from django.db import connection

    now = datetime.now(UTC)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for i in range(count):
            cursor.execute(
                "INSERT INTO bench_raw_event (message_id, campaign_id, variant_id, kind, link_index, occurred_at)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                [i, 1, 1, "click", 0, now],
            )
    return count / (time.perf_counter() - started)


def handler_rate(urls: list[str]) -> float:
    from django.test import RequestFactory

    from saleor_loyalty.insights import tracking

    factory = RequestFactory()
    requests = [(factory.get(url), url.split("saleor.loyalty", 1)[1]) for url in urls]
    started = time.perf_counter()
    for request, path in requests:
        response = tracking.handle(request, path)
        assert response.status_code in (200, 302)
    return len(urls) / (time.perf_counter() - started)


def sms_click_urls(program, hits: int) -> list[str]:
    """Short click links of an SMS campaign's texts, one message id per hit as for the email links."""
    from saleor_loyalty.insights import campaigns, tracking
    from saleor_loyalty.models import Medium

    body = "Sale: https://shop.example/sale {opt_out}"
    spec = campaigns.CampaignSpec(
        name="sms", medium=Medium.SMS, variants=[campaigns.VariantSpec("A", {"he": {"body": body}})]
    )
    campaign = campaigns.create(program, spec)
    variant = campaign.variants.get().pk
    return [tracking.sms_click_url(i, campaign.pk, variant, "he", 0) for i in range(hits)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hits", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db-suffix", default="", help="appended to the database's name (parallel runs)")
    args = parser.parse_args()
    setup_django(BENCH_DATABASE + args.db_suffix)
    from django.db import connection

    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.insights import campaigns, tracking
    from saleor_loyalty.ledger import programs

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_raw_event (id bigserial PRIMARY KEY, message_id bigint, campaign_id bigint,"
            " variant_id bigint, kind varchar(16), link_index smallint, occurred_at timestamptz)"
        )
    program = programs.ensure_program(ChannelFacts("bench", "ILS", "IL"))
    body = "Sale: https://shop.example/sale and https://shop.example/new"
    campaign = campaigns.create(
        program,
        campaigns.CampaignSpec(
            name="bench", variants=[campaigns.VariantSpec("A", {"he": {"subject": "s", "body": body}})]
        ),
    )
    variant = campaign.variants.get().pk
    urls = [
        tracking.open_url(i, campaign.pk, variant)
        if i % 2
        else tracking.click_url(i, campaign.pk, variant, "he", i % 4 // 2)
        for i in range(args.hits)
    ]
    sms_urls = sms_click_urls(program, args.hits)
    raws, handlers, sms_handlers = [], [], []
    for _ in range(args.rounds):
        raws.append(raw_rate(args.hits))
        handlers.append(handler_rate(urls))
        sms_handlers.append(handler_rate(sms_urls))
    raw, handler = statistics.median(raws), statistics.median(handlers)
    sms = statistics.median(sms_handlers)
    print(f"hits per round: {args.hits} (half opens, half clicks), rounds: {args.rounds}")
    print(f"raw single-row insert: {raw:,.0f}/s; tracking handler: {handler:,.0f}/s")
    print(
        f"ratio handler/raw: {handler / raw:.2f}; target >= 0.5: {'met' if handler / raw >= 0.5 else 'NOT met'}"
    )
    print(
        f"SMS short click: {sms:,.0f}/s; ratio {sms / raw:.2f}; target >= 0.5: {'met' if sms / raw >= 0.5 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
