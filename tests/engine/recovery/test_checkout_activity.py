import uuid
from datetime import UTC, datetime, timedelta

import pytest

from saleor_loyalty.models import CheckoutActivity
from saleor_loyalty.recovery.abandonment import record_checkout_activity

SEEN = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_late_duplicate_never_moves_last_seen_back_and_keeps_known_contact():
    token = str(uuid.uuid4())
    record_checkout_activity(token, "il", None, "noa@example.co.il", SEEN)
    record_checkout_activity(token, "il", 7, "", SEEN + timedelta(minutes=5))

    record_checkout_activity(token, "il", None, "", SEEN + timedelta(minutes=1))

    activity = CheckoutActivity.objects.get(token=token)
    assert activity.first_seen_at == SEEN
    assert activity.last_seen_at == SEEN + timedelta(minutes=5)
    assert (activity.user_id, activity.email) == (7, "noa@example.co.il")


@pytest.mark.django_db
def test_naive_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        record_checkout_activity(str(uuid.uuid4()), "il", None, "", datetime(2026, 5, 1))  # noqa: DTZ001
