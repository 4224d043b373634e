"""The sweep's candidate query against stand-ins of Saleor's checkout tables (same columns it reads)."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from saleor_loyalty.saleor_adapter.abandoned_checkouts import fetch_abandoned

from .shop import T0

TABLES = {
    "checkout": "h3_checkout",
    "line": "h3_line",
    "user": "h3_user",
    "address": "h3_address",
    "channel": "h3_channel",
    "variant": "h3_variant",
    "product": "h3_product",
    "product_type": "h3_product_type",
}
DDL = """
CREATE TEMP TABLE h3_channel (id int PRIMARY KEY, slug text);
CREATE TEMP TABLE h3_user (id int PRIMARY KEY, email text);
CREATE TEMP TABLE h3_address (id int PRIMARY KEY, phone text);
CREATE TEMP TABLE h3_product_type (id int PRIMARY KEY, kind text);
CREATE TEMP TABLE h3_product (id int PRIMARY KEY, name text, product_type_id int);
CREATE TEMP TABLE h3_variant (id int PRIMARY KEY, name text, product_id int);
CREATE TEMP TABLE h3_checkout (
    token uuid PRIMARY KEY, channel_id int, last_change timestamptz, price_expiration timestamptz,
    currency text, total_gross_amount numeric, user_id int, email text, billing_address_id int,
    language_code text, completing_started_at timestamptz, charge_status text, authorize_status text);
CREATE TEMP TABLE h3_line (
    id serial PRIMARY KEY, checkout_id uuid, variant_id int, quantity int,
    total_price_gross_amount numeric, total_price_net_amount numeric, created_at timestamptz);
INSERT INTO h3_channel VALUES (1, 'il');
INSERT INTO h3_product_type VALUES (1, 'normal');
INSERT INTO h3_product VALUES (1, 'Shirt', 1);
INSERT INTO h3_variant VALUES (1, 'Shirt', 1);
"""


@pytest.fixture
def saleor_tables(db):
    with connection.cursor() as cursor:
        cursor.execute(DDL)
    return connection


def checkout(*, total, priced_at=None, lines=1, email="guest@example.co.il"):
    """A guest checkout changed at T0; `priced_at` is when Saleor last computed its prices (None: never)."""
    token = uuid.uuid4()
    # Saleor: a change sets price_expiration to now (invalid), pricing sets it to now + TTL
    expiration = T0 - timedelta(seconds=1) if priced_at is None else priced_at + timedelta(hours=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO h3_checkout VALUES (%s, 1, %s, %s, 'ILS', %s, NULL, %s, NULL, 'he', NULL, 'none', 'none')",
            [token, T0, expiration, Decimal(total), email],
        )
        for _ in range(lines):
            cursor.execute(
                "INSERT INTO h3_line (checkout_id, variant_id, quantity, total_price_gross_amount, "
                "total_price_net_amount, created_at) VALUES (%s, 1, 2, %s, %s, %s)",
                [token, Decimal(total), Decimal(total), T0],
            )
    return token


def candidates():
    with connection.cursor() as cursor:
        return fetch_abandoned(cursor, TABLES, "il", T0 + timedelta(hours=1), None, 100)


def test_a_guest_cart_saleor_never_priced_is_a_candidate(saleor_tables):
    # given a guest cart with a line and an email that nothing has priced yet (Saleor keeps its total at 0)
    unpriced = checkout(total="0")

    # when the sweep asks for abandoned checkouts an hour later
    [found] = candidates()

    # then it is a candidate, its lines read, to be priced when its reminder is built
    assert found.token == unpriced
    assert found.total_gross == 0
    assert [(line.name, line.quantity) for line in found.lines] == [("Shirt", 2)]


def test_priced_carts_count_by_their_total_and_empty_ones_never(saleor_tables):
    # given a priced cart of ₪120, a cart priced at ₪0 after its last change, and an unpriced cart with no line
    priced = checkout(total="120.00", priced_at=T0 + timedelta(minutes=5))
    checkout(total="0", priced_at=T0 + timedelta(minutes=5))
    checkout(total="0", lines=0)

    # then only the priced cart with money in it is a candidate
    assert [found.token for found in candidates()] == [priced]
