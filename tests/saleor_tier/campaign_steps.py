"""The steps the Saleor-tier campaign tests share: the campaign documents, a shop that may send marketing, a
member's recorded email opt-in, creating and scheduling a campaign as staff, and the tracked links in a sent email."""

import re
from datetime import UTC, datetime

from saleor_loyalty import tasks
from saleor_loyalty.messages import consent
from saleor_loyalty.models import ConsentAction, ConsentSource, Medium, MessagingSettings

from .flows import club

TUESDAY_MORNING = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)
CREATE = """mutation($input: LoyaltyCampaignInput!) {
  loyaltyCampaignCreate(channel: "main", input: $input) { campaign { id } errors { field code message } }
}"""
SCHEDULE = """mutation($id: ID!) {
  loyaltyCampaignSchedule(channel: "main", id: $id) { campaign { status } errors { code } }
}"""
RESULTS = """query($id: ID!) {
  campaign(channel: "main", id: $id) {
    status
    results { variants { key sent opened clicked converted revenue { amount currency } } holdout { recipients } }
  }
}"""
PIXEL = r'src="[^"]*(/plugins/[^"]+\.gif)"'
CLICK = r"https?://\S+(/plugins/\S+/t/c/\S+/)"


def shop_may_market(customer_user) -> None:
    """The channel's §30A sender details, and the customer named Dana (the merge field the tests read)."""
    MessagingSettings.objects.create(
        channel_slug="main",
        country="IL",
        sender_name="Dana's shop",
        sender_email="shop@example.com",
        contact_address="1 Herzl St, Tel Aviv",
    )
    customer_user.first_name = "Dana"
    customer_user.save(update_fields=["first_name"])


def opt_in(email: str, at: datetime) -> None:
    consent.record(
        "main",
        Medium.EMAIL,
        email,
        ConsentAction.GRANT,
        ConsentSource.ACCOUNT_PAGE,
        wording="Send me club offers",
        occurred_at=at,
    )


def create_and_send(campaign_input: dict, staff) -> str:
    """Create the campaign through the club API, schedule it now and let the beat send it; its global id."""
    _, created = club(CREATE, {"input": campaign_input}, user=staff)
    assert created["data"]["loyaltyCampaignCreate"]["errors"] == []
    campaign_id = created["data"]["loyaltyCampaignCreate"]["campaign"]["id"]
    _, scheduled = club(SCHEDULE, {"id": campaign_id}, user=staff)
    assert scheduled["data"]["loyaltyCampaignSchedule"]["errors"] == []
    tasks.campaigns_task.delay()
    return campaign_id


def tracked_links(message) -> tuple[str, str]:
    """The open pixel's path (HTML part) and the first click link's path (text part) of a sent email."""
    pixel = re.search(PIXEL, message.alternatives[0][0]).group(1)
    return pixel, re.search(CLICK, message.body).group(1)
