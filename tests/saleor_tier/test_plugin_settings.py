"""The plugin's page in Saleor's Dashboard: the links a merchant looks for first, the club's switch per channel
and a default sender, through Saleor's own `plugin` and `pluginUpdate` API."""

import pytest
from saleor.graphql.tests.utils import get_graphql_content

from saleor_loyalty.ledger import programs
from saleor_loyalty.models import LoyaltyProgram, MessagingSettings

PLUGIN = """{ plugin(id: "saleor.loyalty") { globalConfiguration { configuration { name value type } } } }"""
PLUGIN_UPDATE = """mutation Update($configuration: [ConfigurationItemInput!]) {
  pluginUpdate(id: "saleor.loyalty", input: {configuration: $configuration}) {
    plugin { globalConfiguration { configuration { name value } } }
    errors { field message code }
  }
}"""


@pytest.fixture
def plugin_staff(staff_api_client, permission_manage_plugins):
    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    return staff_api_client


def shown(client) -> dict:
    content = get_graphql_content(client.post_graphql(PLUGIN))
    return {item["name"]: item for item in content["data"]["plugin"]["globalConfiguration"]["configuration"]}


def update(client, **values):
    configuration = [{"name": name, "value": value} for name, value in values.items()]
    content = get_graphql_content(client.post_graphql(PLUGIN_UPDATE, {"configuration": configuration}))
    return content["data"]["pluginUpdate"]


def test_the_page_shows_the_install_link_the_endpoint_and_the_card_as_this_host_reaches_them(plugin_staff):
    items = shown(plugin_staff)
    assert items["app_manifest_url"]["type"] == "OUTPUT"
    assert items["app_manifest_url"]["value"].endswith("/plugins/global/saleor.loyalty/app/manifest")
    assert items["app_manifest_url"]["value"].startswith("http")
    assert items["club_endpoint_url"]["value"].endswith("/plugins/global/saleor.loyalty/graphql/")
    assert items["card_script_url"]["value"].endswith("/plugins/global/saleor.loyalty/card.js")


def test_pausing_a_channel_switches_its_program_off_and_an_empty_list_switches_it_back(
    plugin_staff, channel_USD
):
    # when staff list the channel as paused
    assert update(plugin_staff, paused_channels=channel_USD.slug)["errors"] == []
    # then its program (created for it) gives nothing, and the page shows it
    assert LoyaltyProgram.objects.get(channel_slug=channel_USD.slug).is_active is False
    assert shown(plugin_staff)["paused_channels"]["value"] == channel_USD.slug
    # when the list is emptied, the club runs there again
    assert update(plugin_staff, paused_channels="")["errors"] == []
    assert LoyaltyProgram.objects.get(channel_slug=channel_USD.slug).is_active is True


def test_a_stale_stored_list_never_switches_a_channel_that_staff_turned_on_elsewhere(
    plugin_staff, channel_USD
):
    update(plugin_staff, paused_channels=channel_USD.slug)
    program = LoyaltyProgram.objects.get(channel_slug=channel_USD.slug)
    programs.update_program(program, is_active=True)  # e.g. through loyaltyProgramUpdate
    # when staff save another setting
    assert update(plugin_staff, graphiql_enabled=True)["errors"] == []
    # then the channel stays on, and the page tells the truth
    assert LoyaltyProgram.objects.get(channel_slug=channel_USD.slug).is_active is True
    assert shown(plugin_staff)["paused_channels"]["value"] == ""


def test_an_unknown_channel_is_a_typed_error_and_changes_nothing(plugin_staff, channel_USD):
    result = update(plugin_staff, paused_channels=f"{channel_USD.slug}, no-such-channel")
    assert result["errors"][0]["field"] == "pausedChannels"  # Saleor camel-cases the field
    assert "no-such-channel" in result["errors"][0]["message"]
    assert not LoyaltyProgram.objects.filter(channel_slug=channel_USD.slug, is_active=False).exists()


def test_a_default_sender_fills_channels_without_one_and_never_replaces_a_channels_own(plugin_staff):
    MessagingSettings.objects.create(
        channel_slug="own", sender_name="Own shop", sender_email="own@example.com"
    )
    MessagingSettings.objects.create(channel_slug="bare")
    result = update(plugin_staff, default_sender_name="החנות של דנה", default_sender_email="club@example.com")
    assert result["errors"] == []
    senders = dict(MessagingSettings.objects.values_list("channel_slug", "sender_email"))
    assert senders == {"own": "own@example.com", "bare": "club@example.com"}
    assert MessagingSettings.objects.get(channel_slug="bare").sender_name == "החנות של דנה"


def test_a_bad_default_sender_email_is_a_typed_error(plugin_staff):
    MessagingSettings.objects.create(channel_slug="bare")
    result = update(plugin_staff, default_sender_email="not an address")
    assert result["errors"][0]["field"] == "defaultSenderEmail"
    assert MessagingSettings.objects.get(channel_slug="bare").sender_email == ""
