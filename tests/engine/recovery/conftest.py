import pytest
from django.core import mail

from saleor_loyalty.messages import consent
from saleor_loyalty.models import ConsentAction, ConsentSource, Medium, MessagingSettings

from .shop import T0, FakeShop

WORDING = "אני מסכים/ה לקבל דיוור שיווקי במייל / I agree to receive marketing email"


@pytest.fixture
def shop():
    return FakeShop()


@pytest.fixture
def channel(program):
    """The `il` channel's messaging settings; the channel exists (it has its club program)."""
    return MessagingSettings.objects.create(
        channel_slug="il",
        recovery_enabled=True,
        country="IL",
        timezone="Asia/Jerusalem",
        sender_name="חנות דנה",
        sender_email="shop@example.co.il",
        contact_address="רחוב הרצל 1, תל אביב",
        reply_to="remove@example.co.il",
        restore_url_template="https://shop.example.co.il/cart/restore/{token}",
    )


@pytest.fixture
def opted_in():
    def grant(address="dana@example.co.il", medium=Medium.EMAIL, channel="il", at=None):
        """Granted `consent_lead()` before T0 unless `at` says when."""
        return consent.record(
            channel,
            medium,
            address,
            ConsentAction.GRANT,
            ConsentSource.CHECKOUT_CHECKBOX,
            wording=WORDING,
            locale="he",
            ip="203.0.113.7",
            occurred_at=T0 - consent_lead() if at is None else at,
        )

    return grant


def consent_lead():
    from datetime import timedelta

    return timedelta(days=1)


@pytest.fixture(autouse=True)
def empty_outbox():
    mail.outbox = []
