"""Saleor's fixtures for a third-party package, wired the way Saleor's own root conftest wires them."""

import django.test
import psycopg
import pytest
from django.conf import settings
from saleor.tests.utils import prepare_test_db_connections

LOYALTY_PLUGIN = "saleor_loyalty.plugin.LoyaltyPlugin"

# Saleor's tests read from a fake replica; every test case must be allowed both aliases.
django.test.TransactionTestCase.databases = {"default", "replica"}
django.test.TestCase.databases = {"default", "replica"}
prepare_test_db_connections()

pytest_plugins = [
    "saleor.tests.fixtures",
    "saleor.app.tests.fixtures",
    "saleor.plugins.tests.fixtures",
    "saleor.graphql.tests.fixtures",
    "saleor.webhook.tests.fixtures",
    "saleor.tax.tests.fixtures",
    "saleor.channel.tests.fixtures",
    "saleor.page.tests.fixtures",
    "saleor.menu.tests.fixtures",
    "saleor.warehouse.tests.fixtures",
    "saleor.thumbnail.tests.fixtures",
    "saleor.order.tests.fixtures",
    "saleor.product.tests.fixtures",
    "saleor.site.tests.fixtures",
    "saleor.shipping.tests.fixtures",
    "saleor.permission.tests.fixtures",
    "saleor.giftcard.tests.fixtures",
    "saleor.discount.tests.fixtures",
    "saleor.checkout.tests.fixtures",
    "saleor.attribute.tests.fixtures",
    "saleor.account.tests.fixtures",
    "saleor.graphql.account.tests.fixtures",
    "saleor.payment.tests.fixtures",
    "saleor.webhook.tests.circuit_breaker.fixtures",
]


_DROP_CLUB_SCHEMA = r"""
DO $$ DECLARE item record; BEGIN
  FOR item IN SELECT tablename FROM pg_tables
              WHERE schemaname = 'public' AND tablename LIKE 'saleor\_loyalty\_%' LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename);
  END LOOP;
  FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
              JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'public' AND p.proname LIKE 'loyalty\_%' LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
  END LOOP;
  DELETE FROM django_migrations WHERE app = 'saleor_loyalty';
END $$;
"""


def pytest_sessionstart(session):
    """Rebuild the club's tables in the kept Saleor test database, so edited migrations apply cleanly."""
    database = settings.DATABASES["default"]
    try:
        connection = psycopg.connect(
            host=database["HOST"] or None,
            port=database["PORT"] or None,
            user=database["USER"],
            password=database["PASSWORD"] or None,
            dbname=database["TEST"]["NAME"],
            autocommit=True,
        )
    except psycopg.OperationalError:
        return  # no kept database yet: pytest-django creates it with every migration
    with connection:
        connection.execute(_DROP_CLUB_SCHEMA)


@pytest.fixture(autouse=True)
def loyalty_plugin_enabled(setup_dummy_gateways, settings):
    """Saleor's autouse `setup_dummy_gateways` replaces settings.PLUGINS for every test; add ours back."""
    settings.PLUGINS = [*settings.PLUGINS, LOYALTY_PLUGIN]
    return settings


@pytest.fixture
def shop(product, shipping_method):
    """One variant of Saleor's `product` fixture ($10) and its $10 `shipping_method`."""
    return product.variants.first(), shipping_method


@pytest.fixture
def main_club(channel_USD):
    """The `main` channel's program with the default ladder: Gold gives 5 % off and free shipping."""
    from saleor_loyalty.core.facts import ChannelFacts
    from saleor_loyalty.ledger import programs

    return programs.ensure_program(ChannelFacts(channel_USD.slug, channel_USD.currency_code))


@pytest.fixture
def settings_staff(staff_user, permission_manage_settings):
    """A staff user holding MANAGE_SETTINGS (re-read so Django's permission cache is fresh)."""
    from saleor.account.models import User

    staff_user.user_permissions.add(permission_manage_settings)
    return User.objects.get(pk=staff_user.pk)


@pytest.fixture
def marketing_staff(staff_user, permission_manage_users):
    """A staff user holding MANAGE_USERS (segments and campaigns), re-read like `settings_staff`."""
    from saleor.account.models import User

    staff_user.user_permissions.add(permission_manage_users)
    return User.objects.get(pk=staff_user.pk)
