from django.core import mail

from saleor_loyalty.insights import campaign_sending
from saleor_loyalty.models import Campaign, CampaignStatus
from tests.engine.api import run

from .conftest import T0

CREATE = """mutation($input: LoyaltyCampaignInput!) {
  loyaltyCampaignCreate(channel: "il", input: $input) {
    campaign { id status variants { key contents { language subject } } }
    errors { field code message }
  }
}"""
SCHEDULE = """mutation($id: ID!) {
  loyaltyCampaignSchedule(channel: "il", id: $id) { campaign { status } errors { field code } }
}"""
RESULTS = """query($id: ID!) {
  campaign(channel: "il", id: $id) {
    name status
    results { winner variants { key sent openRate { rate low high } revenue { amount currency } } holdout { recipients } }
  }
}"""


def variant(key, body):
    return {"key": key, "contents": [{"language": "HE", "subject": "מבצע", "body": body}]}


def test_an_unknown_merge_field_is_a_typed_error_and_nothing_is_written(channel, staff):
    result = run(CREATE, staff, input={"name": "Sale", "variants": [variant("A", "שלום {nick}")]})
    errors = result.data["loyaltyCampaignCreate"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("variants.0.he.body", "INVALID")]
    assert not Campaign.objects.exists()


def test_staff_create_schedule_and_read_results_through_the_api(channel, staff, member):
    member("a@example.co.il")
    created = run(
        CREATE,
        staff,
        input={"name": "Sale", "variants": [variant("A", "שלום {first_name}"), variant("B", "היי")]},
    ).data["loyaltyCampaignCreate"]
    assert created["errors"] == []
    campaign_id = created["campaign"]["id"]
    assert created["campaign"]["status"] == "DRAFT"
    scheduled = run(SCHEDULE, staff, id=campaign_id).data["loyaltyCampaignSchedule"]
    assert scheduled == {"campaign": {"status": "SCHEDULED"}, "errors": []}
    again = run(SCHEDULE, staff, id=campaign_id).data["loyaltyCampaignSchedule"]
    assert [e["code"] for e in again["errors"]] == ["NOT_APPLICABLE"]

    Campaign.objects.update(scheduled_at=T0)
    campaign_sending.run(T0)

    assert len(mail.outbox) == 1
    found = run(RESULTS, staff, id=campaign_id).data["campaign"]
    assert found["status"] == CampaignStatus.SENT.upper()
    sent = {v["key"]: v["sent"] for v in found["results"]["variants"]}
    assert sum(sent.values()) == 1
    assert found["results"]["winner"] is None
    assert found["results"]["variants"][0]["revenue"] == {"amount": 0.0, "currency": "ILS"}
