import pytest

from tests.engine.recovery.conftest import channel, empty_outbox, opted_in, shop  # noqa: F401

from .sms_provider import FakeSmsProvider


@pytest.fixture
def sms_provider(settings):
    """The fake provider, running, and the deployment's SMS settings pointing at it."""
    provider = FakeSmsProvider().start()
    settings.LOYALTY_SMS_URL = provider.url
    settings.LOYALTY_SMS_API_KEY = "test-api-key"
    settings.LOYALTY_SMS_SENDER = "DanaShop"
    settings.LOYALTY_SMS_TIMEOUT = 0.5
    yield provider
    provider.stop()
