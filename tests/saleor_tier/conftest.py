"""Saleor's fixtures for a third-party package, wired the way Saleor's own root conftest wires them."""

import django.test
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


@pytest.fixture(autouse=True)
def loyalty_plugin_enabled(setup_dummy_gateways, settings):
    """Saleor's autouse `setup_dummy_gateways` replaces settings.PLUGINS for every test; add ours back."""
    settings.PLUGINS = [*settings.PLUGINS, LOYALTY_PLUGIN]
    return settings
