from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.graphql.context import ClubContext
from saleor_loyalty.graphql.schema import schema
from saleor_loyalty.models import LoyaltyProgram, MessagingSettings

UPDATE = """
mutation($input: LoyaltyRecoverySettingsInput!) {
  loyaltyRecoverySettingsUpdate(channel: "il", input: $input) {
    settings { recoveryEnabled abandonAfterMinutes steps { afterMinutes medium } senderName }
    errors { field code message }
  }
}"""
READ = 'query { recoverySettings(channel: "il") { abandonAfterMinutes steps { afterMinutes medium } } }'
MANAGER = Requestor(user_id=1, is_staff=True, permissions=frozenset({"MANAGE_SETTINGS"}))
CUSTOMER = Requestor(user_id=7, email="dana@example.co.il")
SETUP = {
    "recoveryEnabled": True,
    "senderName": "Dana",
    "senderEmail": "shop@example.co.il",
    "contactAddress": "Herzl 1, Tel Aviv",
    "restoreUrlTemplate": "https://s.example/r/{token}",
}


def run(query, requestor, **variables):
    return schema.execute(query, variable_values=variables, context_value=ClubContext(requestor=requestor))


def test_recovery_settings_update_requires_permission(db):
    LoyaltyProgram.objects.create(channel_slug="il", currency="ILS")
    result = run(UPDATE, CUSTOMER, input=SETUP)
    assert result.data["loyaltyRecoverySettingsUpdate"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert not MessagingSettings.objects.exists()


def test_manager_sets_threshold_and_steps(db):
    LoyaltyProgram.objects.create(channel_slug="il", currency="ILS")
    steps = [{"afterMinutes": 30, "medium": "EMAIL"}, {"afterMinutes": 1440, "medium": "SMS"}]

    result = run(UPDATE, MANAGER, input={**SETUP, "abandonAfterMinutes": 5, "steps": steps})

    assert result.errors is None
    assert result.data["loyaltyRecoverySettingsUpdate"]["errors"] == []
    assert result.data["loyaltyRecoverySettingsUpdate"]["settings"]["steps"] == steps
    assert run(READ, MANAGER).data["recoverySettings"] == {"abandonAfterMinutes": 5, "steps": steps}


def test_invalid_settings_change_nothing(db):
    LoyaltyProgram.objects.create(channel_slug="il", currency="ILS")
    cases = [
        ({"abandonAfterMinutes": 4}, "abandonAfterMinutes"),
        ({"abandonAfterMinutes": 1441}, "abandonAfterMinutes"),
        (
            {"steps": [{"afterMinutes": 120, "medium": "EMAIL"}, {"afterMinutes": 60, "medium": "EMAIL"}]},
            "steps",
        ),
        ({"restoreUrlTemplate": "https://s.example/r/"}, "restoreUrlTemplate"),
        ({"restoreUrlTemplate": "javascript:alert(1)//{token}"}, "restoreUrlTemplate"),
        ({"restoreUrlTemplate": "data:text/html,{token}"}, "restoreUrlTemplate"),
        ({"restoreUrlTemplate": "//evil.example/{token}"}, "restoreUrlTemplate"),
        ({"restoreUrlTemplate": "https:///{token}"}, "restoreUrlTemplate"),
        ({"holdoutPercent": 60}, "holdoutPercent"),
    ]
    for change, field in cases:
        errors = run(UPDATE, MANAGER, input={**SETUP, **change}).data["loyaltyRecoverySettingsUpdate"][
            "errors"
        ]
        assert [error["field"] for error in errors] == [field], change
    assert not MessagingSettings.objects.exists()


def test_reminders_cannot_be_switched_on_without_sender_details(db):
    LoyaltyProgram.objects.create(channel_slug="il", currency="ILS")
    errors = run(UPDATE, MANAGER, input={"recoveryEnabled": True}).data["loyaltyRecoverySettingsUpdate"][
        "errors"
    ]
    assert errors[0]["field"] == "recoveryEnabled"
    assert not MessagingSettings.objects.filter(recovery_enabled=True).exists()


def test_an_empty_reply_to_means_none_and_a_bad_one_is_refused(db):
    """The dashboard's form sends every field: an empty Reply-To ("none") must not block the save."""
    LoyaltyProgram.objects.create(channel_slug="il", currency="ILS")
    run(UPDATE, MANAGER, input={**SETUP, "replyTo": "remove@example.co.il"})

    cleared = run(UPDATE, MANAGER, input={**SETUP, "replyTo": " "})

    assert cleared.data["loyaltyRecoverySettingsUpdate"]["errors"] == []
    assert MessagingSettings.objects.get().reply_to == ""
    refused = run(UPDATE, MANAGER, input={**SETUP, "replyTo": "not an address"})
    assert [e["field"] for e in refused.data["loyaltyRecoverySettingsUpdate"]["errors"]] == ["replyTo"]
    assert MessagingSettings.objects.get().reply_to == ""
