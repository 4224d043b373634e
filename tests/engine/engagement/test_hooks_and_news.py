"""Actions Saleor and our own mutations tell us about (newsletter consent, birthday set), the staff
catalogue, and the "action credited" club news through the consent-aware pipeline."""

import pytest
from django.core import mail

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import actions
from saleor_loyalty.messages import club_news
from saleor_loyalty.models import (
    BuiltinAction,
    ClubAction,
    EntryKind,
    LedgerEntry,
    MessageLog,
    MessageStatus,
    MessagingSettings,
)
from tests.engine.api import run
from tests.engine.graphql.test_authorization_matrix import snapshot

SIGN_UP = """mutation($optIn: Boolean) { loyaltyConsentSet(channel: "il", medium: EMAIL, granted: true,
  source: NEWSLETTER_SIGNUP, wording: "Send me the club newsletter", optIn: $optIn) { errors { code } } }"""
BIRTHDAY = 'mutation { loyaltyBirthdaySet(channel: "il", month: 5, day: 14) { errors { code } } }'
CREATE = """mutation($key: String!, $input: LoyaltyActionInput!) { loyaltyActionCreate(channel: "il", key: $key,
  input: $input) { errors { field code } action { key nameEn nameHe points isBuiltin isEnabled
  caps { perDay perMonth lifetime oncePerObject } } } }"""
UPDATE = """mutation($key: String!, $input: LoyaltyActionInput!) { loyaltyActionUpdate(channel: "il", key: $key,
  input: $input) { errors { field code } action { key points isEnabled caps { perDay lifetime } } } }"""
DELETE = (
    'mutation($key: String!) { loyaltyActionDelete(channel: "il", key: $key) { errors { field code } key } }'
)
CATALOGUE = '{ actions(channel: "il") { key isBuiltin isEnabled points } }'


def awards(key):
    return LedgerEntry.objects.filter(kind=EntryKind.ACTION, detail__action=key)


@pytest.fixture
def dana(customer):
    return Requestor(user_id=customer.pk, email=customer.email)


def test_a_newsletter_sign_up_with_opt_in_earns_once(actions_on, dana):
    first = run(SIGN_UP, dana, optIn=True).data["loyaltyConsentSet"]
    again = run(SIGN_UP, dana, optIn=True).data["loyaltyConsentSet"]

    assert first["errors"] == again["errors"] == []
    assert awards(BuiltinAction.NEWSLETTER_SIGNUP).get().points == 150


def test_a_sign_up_without_explicit_opt_in_earns_nothing(actions_on, dana):
    before = snapshot()

    result = run(SIGN_UP, dana, optIn=False).data["loyaltyConsentSet"]

    assert result["errors"] == [{"code": "OPT_IN_REQUIRED"}]
    assert snapshot() == before


def test_setting_ones_birthday_earns_once(actions_on, dana):
    run(BIRTHDAY, dana)
    run(BIRTHDAY, dana)

    assert awards(BuiltinAction.BIRTHDAY_SET).count() == 1


def test_staff_define_switch_and_delete_custom_actions(club, staff):
    created = run(
        CREATE,
        staff,
        key="instagram-follow",
        input={
            "nameEn": "Follow us",
            "nameHe": "עקבו אחרינו",
            "points": 30,
            "capLifetime": 1,
            "isEnabled": True,
        },
    ).data["loyaltyActionCreate"]
    updated = run(UPDATE, staff, key="instagram-follow", input={"points": 40, "capLifetime": None}).data[
        "loyaltyActionUpdate"
    ]
    catalogue = run(CATALOGUE, staff).data["actions"]
    deleted = run(DELETE, staff, key="instagram-follow").data["loyaltyActionDelete"]

    assert created["errors"] == []
    assert created["action"]["caps"] == {
        "perDay": None,
        "perMonth": None,
        "lifetime": 1,
        "oncePerObject": False,
    }
    assert updated["action"] == {
        "key": "instagram-follow",
        "points": 40,
        "isEnabled": True,
        "caps": {"perDay": None, "lifetime": None},
    }
    assert [a["key"] for a in catalogue if a["isBuiltin"]] == list(BuiltinAction.values)
    assert not any(a["isEnabled"] for a in catalogue if a["isBuiltin"])  # built-ins start switched off
    assert deleted == {"errors": [], "key": "instagram-follow"}
    assert not ClubAction.objects.filter(key="instagram-follow").exists()


def test_built_in_actions_are_switched_off_not_deleted(club, staff):
    run(CATALOGUE, staff)

    result = run(DELETE, staff, key="product_review").data["loyaltyActionDelete"]

    assert result["errors"] == [{"field": "key", "code": "NOT_APPLICABLE"}]
    assert ClubAction.objects.filter(key="product_review").exists()


@pytest.mark.parametrize(
    ("key", "payload", "field"),
    [
        ("Bad Key", {"nameEn": "x", "points": 5}, "key"),
        ("product_review", {"nameEn": "x", "points": 5}, "key"),
        ("quiz", {"nameEn": "", "points": 5}, "nameEn"),
        ("quiz", {"nameEn": "x" * 101, "points": 5}, "nameEn"),
        ("quiz", {"nameEn": "x", "points": 0}, "points"),
        ("quiz", {"nameEn": "x", "points": 5, "capPerDay": 0}, "capPerDay"),
        ("quiz", {"nameEn": "x", "points": 5, "pendingDays": 366}, "pendingDays"),
        ("quiz", {"nameEn": "x"}, "points"),
    ],
)
def test_bad_action_settings_are_typed_errors_and_write_nothing(club, staff, key, payload, field):
    run(CATALOGUE, staff)
    before = snapshot()

    result = run(CREATE, staff, key=key, input=payload).data["loyaltyActionCreate"]

    assert result["errors"] == [{"field": field, "code": "INVALID"}]
    assert snapshot() == before


def test_an_award_is_told_once_as_club_news_in_hebrew(actions_on, customer, dana):
    MessagingSettings.objects.create(
        channel_slug="il",
        club_messages_enabled=True,
        country="IL",
        sender_name="חנות דנה",
        sender_email="shop@example.co.il",
        contact_address="רחוב הרצל 1, תל אביב",
        reply_to="remove@example.co.il",
    )
    club_news.send_club_news()  # the news job's first run starts at the newest row: history is never mailed
    mail.outbox = []

    # when Dana signs up to the newsletter (that consent is what lets the club write to her), Saleor's hook
    # replays, and the news job runs twice
    run(SIGN_UP, dana, optIn=True)
    actions.record_builtin(BuiltinAction.NEWSLETTER_SIGNUP, customer.pk, customer.email)
    club_news.send_club_news()
    club_news.send_club_news()

    log = MessageLog.objects.get(category="action_credited")
    assert log.status == MessageStatus.SENT
    assert len(mail.outbox) == 1
    assert "צברת 150 נקודות" in mail.outbox[0].subject
    assert "הרשמה לניוזלטר" in mail.outbox[0].body
