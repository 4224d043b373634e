"""Abandoned-checkout detection over a Saleor-shaped checkout table, against a plain indexed scan.

    bash scripts/bench.sh abandonment [--checkouts 1000000] [--abandoned 10000] [--send 1000]

No Saleor needed: the bench builds tables with the names, columns and indexes the sweep's SQL reads
in Saleor 3.23 (checkout_checkout with its last_change index, checkout_checkoutline, channel,
user, address, variant, product) in its own database, fills them with generate_series, and runs
the very SQL the plugin runs (`saleor_adapter.SaleorShop`). Every checkout is older than the
abandonment threshold, so the first sweep walks the whole table: the worst case.

Baseline: one query with the same eligibility filter, ordered by the same index, that only returns
the tokens (no batching, no lines, no snapshot writes): the least any detector has to read.
Target: 1M checkouts with 10k abandoned swept in < 60 s on one worker.
"""

import argparse
import os
import time
from datetime import UTC, datetime, timedelta

DATABASE = f"loyalty_bench_abandonment{os.environ.get('LOYALTY_TEST_DB_SUFFIX', '')}"

SALEOR_SHAPED_TABLES = """
DROP TABLE IF EXISTS checkout_checkoutline, checkout_checkout, channel_channel, account_user, account_address,
    product_productvariant, product_product, product_producttype;
CREATE TABLE channel_channel (id int PRIMARY KEY, slug text UNIQUE NOT NULL);
CREATE TABLE account_user (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE account_address (id int PRIMARY KEY, phone text);
CREATE TABLE product_producttype (id int PRIMARY KEY, kind text NOT NULL);
CREATE TABLE product_product (id int PRIMARY KEY, name text NOT NULL, product_type_id int NOT NULL);
CREATE TABLE product_productvariant (id int PRIMARY KEY, name text NOT NULL, product_id int NOT NULL);
CREATE TABLE checkout_checkout (
    token uuid PRIMARY KEY, channel_id int NOT NULL, last_change timestamptz NOT NULL, email text,
    user_id bigint, billing_address_id int, total_gross_amount numeric(20, 3) NOT NULL, currency text NOT NULL,
    charge_status text NOT NULL, authorize_status text NOT NULL, completing_started_at timestamptz,
    language_code text NOT NULL
);
CREATE INDEX checkout_checkout_last_change ON checkout_checkout (last_change);
CREATE INDEX checkout_checkout_channel_id ON checkout_checkout (channel_id);
CREATE TABLE checkout_checkoutline (
    id uuid PRIMARY KEY, checkout_id uuid NOT NULL, variant_id int NOT NULL, quantity int NOT NULL,
    total_price_gross_amount numeric(20, 3), total_price_net_amount numeric(20, 3),
    created_at timestamptz NOT NULL
);
CREATE INDEX checkout_checkoutline_checkout_id ON checkout_checkoutline (checkout_id);
"""

# Every `stride`-th checkout is abandoned (lines, email, positive total, no payment); of the rest,
# one in five has lines but no contact, one in ten is being paid, the others are empty carts.
FILL = """
INSERT INTO channel_channel VALUES (1, 'bench');
INSERT INTO product_producttype VALUES (1, 'normal'), (2, 'gift_card');
INSERT INTO product_product SELECT g, 'Product ' || g, 1 + (g %% 50 = 0)::int FROM generate_series(1, 200) g;
INSERT INTO product_productvariant SELECT g, 'Size ' || (g % 5), g FROM generate_series(1, 200) g;
INSERT INTO checkout_checkout
SELECT md5('c' || g)::uuid, 1, %(oldest)s + (g * interval '1 second' * %(spread)s),
       CASE WHEN g %% %(stride)s = 0 OR g %% 10 = 3 THEN 'shopper' || g || '@example.com' END,
       NULL, NULL,
       CASE WHEN g %% %(stride)s = 0 OR g %% 5 = 1 OR g %% 10 = 3 THEN 120 ELSE 0 END, 'ILS',
       CASE WHEN g %% 10 = 3 AND g %% %(stride)s <> 0 THEN 'full' ELSE 'none' END, 'none', NULL, 'he'
FROM generate_series(1, %(count)s) g;
INSERT INTO checkout_checkoutline
SELECT md5('l' || g)::uuid, md5('c' || g)::uuid, 1 + g %% 200, 1 + g %% 3, 120, 101.69, %(oldest)s
FROM generate_series(1, %(count)s) g
WHERE g %% %(stride)s = 0 OR g %% 5 = 1 OR g %% 10 = 3;
"""

BASELINE = """
SELECT c.token FROM checkout_checkout c
WHERE c.channel_id = 1 AND c.last_change <= %(cutoff)s AND c.total_gross_amount > 0
  AND c.charge_status = 'none' AND c.authorize_status = 'none'
  AND (NULLIF(c.email, '') IS NOT NULL OR c.user_id IS NOT NULL)
  AND EXISTS (SELECT 1 FROM checkout_checkoutline l WHERE l.checkout_id = c.token)
ORDER BY c.last_change
"""


def setup_django():
    import django
    import psycopg
    from django.conf import settings

    from saleor_loyalty.devdb import database_settings

    server = database_settings("postgres")
    if not os.environ.get("DATABASE_URL"):
        with psycopg.connect(
            host=server["HOST"], user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
            conn.execute(f"CREATE DATABASE {DATABASE}")
    settings.configure(
        SECRET_KEY="bench",
        USE_TZ=True,
        TIME_ZONE="UTC",
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "saleor_loyalty"],
        DATABASES={"default": database_settings(DATABASE)},
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(count: int, abandoned: int, now: datetime) -> float:
    from django.db import connection

    started = time.perf_counter()
    oldest = now - timedelta(days=30)
    spread = (timedelta(days=30) - timedelta(hours=2)).total_seconds() / count
    with connection.cursor() as cursor:
        cursor.execute(SALEOR_SHAPED_TABLES)
        params = {"oldest": oldest, "spread": spread, "stride": max(count // abandoned, 1), "count": count}
        for statement in filter(str.strip, FILL.split(";")):
            cursor.execute(statement, params if "%(" in statement else None)
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def baseline(cutoff) -> tuple[float, int]:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(BASELINE, {"cutoff": cutoff})
        found = len(cursor.fetchall())
    return time.perf_counter() - started, found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkouts", type=int, default=1_000_000)
    parser.add_argument("--abandoned", type=int, default=10_000)
    parser.add_argument("--send", type=int, default=1000, help="Also time this many due reminders (0: skip).")
    args = parser.parse_args()
    setup_django()
    from saleor_loyalty.messages import consent
    from saleor_loyalty.models import (
        AbandonedCheckout,
        ConsentAction,
        ConsentSource,
        Medium,
        MessagingSettings,
    )
    from saleor_loyalty.recovery import abandonment, sequences
    from saleor_loyalty.saleor_adapter import abandoned_checkouts

    now = datetime.now(UTC)
    filled = fill(args.checkouts, args.abandoned, now)
    config = MessagingSettings.objects.create(
        channel_slug="bench",
        recovery_enabled=True,
        observe_shabbat=False,
        sender_name="Bench shop",
        sender_email="shop@example.com",
        contact_address="1 Herzl St",
        restore_url_template="https://s/r/{token}",
    )
    shop = abandoned_checkouts.SaleorShop()
    cutoff = now - abandonment.abandon_after(config)

    baseline(cutoff)  # warm the cache for both contenders
    base_seconds, expected = baseline(cutoff)
    started = time.perf_counter()
    seen = abandonment.sweep_channel(shop, config, now, batch_size=500, max_batches=10**9)
    sweep_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = abandonment.sweep_channel(
        shop, config, now + timedelta(minutes=5), batch_size=500, max_batches=10**9
    )
    steady_seconds = time.perf_counter() - started
    assert seen == expected == AbandonedCheckout.objects.count(), (seen, expected)

    print(f"checkouts: {args.checkouts} (filled in {filled:.1f} s), abandoned: {expected}, one worker")
    print(f"baseline indexed scan (tokens only)  : {base_seconds:7.2f} s")
    print(
        f"club sweep, first run (whole table)  : {sweep_seconds:7.2f} s  "
        f"({sweep_seconds / base_seconds:.1f}x baseline; target < 60 s)"
    )
    print(
        f"club sweep, next run (from cursor)   : {steady_seconds:7.2f} s  ({again} checkouts re-read in the overlap)"
    )

    if args.send:
        due = list(AbandonedCheckout.objects.order_by("-checkout_changed_at")[: args.send])
        for row in due:
            consent.record(
                "bench",
                Medium.EMAIL,
                row.email,
                ConsentAction.GRANT,
                ConsentSource.IMPORT,
                wording="bench opt-in",
                occurred_at=now - timedelta(days=1),
            )

        class StillThere:
            """The sweep's snapshot stands in for Saleor's live checkout (the bench has no ORM models)."""

            def __init__(self, rows):
                self.rows = {row.checkout_token: row for row in rows}

            def order_since(self, *args):
                return None

            def checkout_now(self, token):
                from saleor_loyalty.core.facts import AbandonedCheckoutFacts, CheckoutLineFacts

                row = self.rows.get(token)
                if row is None:
                    return None
                return AbandonedCheckoutFacts(
                    token=token,
                    channel_slug="bench",
                    last_change=row.checkout_changed_at,
                    currency="ILS",
                    total_gross=row.total_gross,
                    email=row.email,
                    lines=(CheckoutLineFacts("Product", 1, row.total_gross),),
                )

        AbandonedCheckout.objects.exclude(pk__in=[row.pk for row in due]).update(
            state="stopped", next_action_at=None
        )
        started = time.perf_counter()
        sent = sequences.process_due(StillThere(due), now + timedelta(minutes=61), limit=args.send)
        send_seconds = time.perf_counter() - started
        print(
            f"due reminders claimed, checked, rendered, sent: {sent} in {send_seconds:.2f} s "
            f"({sent / send_seconds:.0f}/s)"
        )


if __name__ == "__main__":
    main()
