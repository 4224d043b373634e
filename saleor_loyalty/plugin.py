"""The only door from Saleor: hooks become Celery tasks with ids, HTTP becomes the club GraphQL endpoint
(and the signed unsubscribe, tracking and NPS links of club messages, the Dashboard app's manifest and pages, the club card).

No business rule lives here. Every hook returns Saleor's `previous_value`, never raises into
Saleor's checkout or order flow, and enqueues its task only after Saleor's transaction commits
(the task re-reads the order, so a stale in-memory object never decides anything).
"""

import functools
import logging
from dataclasses import dataclass

import jwt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from saleor.plugins.base_plugin import BasePlugin, ConfigurationTypeField

from saleor_loyalty import tasks
from saleor_loyalty.benefits import checkout as checkout_benefits
from saleor_loyalty.dashboard import manifest as club_app
from saleor_loyalty.dashboard import pages as club_pages
from saleor_loyalty.engagement import order_guard, share_links
from saleor_loyalty.exceptions import ClubBenefitRefused, InvalidProgramSetting
from saleor_loyalty.graphql import views
from saleor_loyalty.graphql.context import ClubContext
from saleor_loyalty.insights import feedback_endpoint, nps, tracking
from saleor_loyalty.ledger import programs
from saleor_loyalty.messages import unsubscribe
from saleor_loyalty.recovery import settings as recovery_settings
from saleor_loyalty.saleor_adapter import (
    abandoned_checkouts,
    auth,
    checkouts,
    gift_cards,
    membership_products,
    order_owners,
    referral_vouchers,
    runtime,
    shop,
)

logger = logging.getLogger(__name__)

GRAPHQL_PATH = "/graphql/"


@dataclass(frozen=True)
class LoyaltyPluginSettings:
    graphiql_enabled: bool

    @classmethod
    def parse(cls, configuration: list[dict]) -> "LoyaltyPluginSettings":
        values = {item["name"]: item["value"] for item in configuration}
        return cls(graphiql_enabled=_as_bool(values.get("graphiql_enabled")))


def _as_bool(value) -> bool:
    return value is True or str(value).lower() in {"true", "1", "yes"}


def _enqueue_after_commit(task, *args):
    """Hand work to Celery once Saleor's transaction commits; a broker failure is logged, not raised."""

    def send():
        try:
            task.delay(*args)
        except Exception:
            logger.exception("Could not enqueue %s%r", task.name, args)

    transaction.on_commit(send)


def _never_raises(hook):
    @functools.wraps(hook)
    def wrapper(self, *args, previous_value=None, **kwargs):
        if not self.active:
            return previous_value
        try:
            hook(self, *args, **kwargs)
        except Exception:
            logger.exception("Loyalty hook %s failed", hook.__name__)
        return previous_value

    return wrapper


class LoyaltyPlugin(BasePlugin):
    PLUGIN_ID = "saleor.loyalty"
    PLUGIN_NAME = "Loyalty club"
    PLUGIN_DESCRIPTION = (
        "Points, tiers and club messaging. Program settings per channel are edited through the club API "
        "at /plugins/global/saleor.loyalty/graphql/. The club's Dashboard app installs from "
        "<your API host>/plugins/global/saleor.loyalty/app/manifest (Apps → Install from manifest, or "
        "`manage.py install_app <that URL> --activate`); storefronts add <your API host>/plugins/global/"
        "saleor.loyalty/card.js and <saleor-loyalty-card channel=…>."
    )
    CONFIGURATION_PER_CHANNEL = False
    DEFAULT_ACTIVE = True
    DEFAULT_CONFIGURATION = [
        {"name": "graphiql_enabled", "value": False},
        {"name": "app_manifest_url", "value": ""},
        {"name": "club_endpoint_url", "value": ""},
        {"name": "card_script_url", "value": ""},
        {"name": "paused_channels", "value": ""},
        {"name": "default_sender_name", "value": ""},
        {"name": "default_sender_email", "value": ""},
    ]
    CONFIG_STRUCTURE = {
        "app_manifest_url": {
            "type": ConfigurationTypeField.OUTPUT,
            "label": "App install link",
            "help_text": "Apps → Install from manifest, paste this link (or `manage.py install_app <link> "
            "--activate`): the club's pages then open from the Dashboard's Customers menu.",
        },
        "club_endpoint_url": {
            "type": ConfigurationTypeField.OUTPUT,
            "label": "Club GraphQL endpoint",
            "help_text": "Storefronts and apps send the club's queries here, with the caller's Saleor token.",
        },
        "card_script_url": {
            "type": ConfigurationTypeField.OUTPUT,
            "label": "Storefront club card",
            "help_text": 'Add <script src="this link"></script> and <saleor-loyalty-card channel="…"> to a page.',
        },
        "paused_channels": {
            "type": ConfigurationTypeField.STRING,
            "label": "Club paused in channels",
            "help_text": "Channel slugs, comma-separated. There the club gives and spends nothing (balances stay "
            "readable, staff can still correct); every other channel runs. Shows each program's switch.",
        },
        "default_sender_name": {
            "type": ConfigurationTypeField.STRING,
            "label": "Default sender name",
            "help_text": "Saved into every channel that has no sender name of its own (club messages need one).",
        },
        "default_sender_email": {
            "type": ConfigurationTypeField.STRING,
            "label": "Default sender email",
            "help_text": "Saved into every channel that has no sender email of its own.",
        },
        "graphiql_enabled": {
            "type": ConfigurationTypeField.BOOLEAN,
            "label": "Serve GraphiQL on GET",
            "help_text": "Show the GraphiQL explorer at the club endpoint (always on when DEBUG is set).",
        },
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.settings = LoyaltyPluginSettings.parse(self.configuration)

    def resolve_plugin_configuration(self, request):
        """The links as this request reaches Saleor, and the paused channels as the programs have them now."""
        shown = {
            "app_manifest_url": request.build_absolute_uri(club_app.MANIFEST_PATH),
            "club_endpoint_url": request.build_absolute_uri(club_app.PREFIX + GRAPHQL_PATH),
            "card_script_url": request.build_absolute_uri(club_app.PREFIX + "/card.js"),
        }
        with runtime.writer_connection():
            shown["paused_channels"] = ", ".join(programs.paused_channel_slugs())
        return [{**item, "value": shown.get(item["name"], item.get("value"))} for item in self.configuration]

    @classmethod
    def validate_plugin_configuration(cls, plugin_configuration, **kwargs):
        values = {item["name"]: item.get("value") for item in plugin_configuration.configuration}
        try:
            with runtime.writer_connection():
                programs.channel_slugs(
                    values.get("paused_channels") or "", shop.channel_facts, "paused_channels"
                )
                recovery_settings.check_sender(
                    values.get("default_sender_name") or "", values.get("default_sender_email") or ""
                )
        except InvalidProgramSetting as error:
            field = {"sender_name": "default_sender_name", "sender_email": "default_sender_email"}.get(
                error.field, "paused_channels"
            )
            raise ValidationError({field: ValidationError(error.message, code="invalid")}) from None

    @classmethod
    def save_plugin_configuration(cls, plugin_configuration, cleaned_data):
        """Saleor stores the values; a paused-channel list or a default sender the staff user sent is also
        applied to the club (only when sent: a stale stored list never switches a channel back)."""
        plugin_configuration = super().save_plugin_configuration(plugin_configuration, cleaned_data)
        sent = {item["name"]: item.get("value") for item in cleaned_data.get("configuration") or []}
        values = {item["name"]: item.get("value") for item in plugin_configuration.configuration}
        with runtime.writer_connection(), transaction.atomic():
            if "paused_channels" in sent:
                slugs = programs.channel_slugs(values.get("paused_channels") or "", shop.channel_facts)
                programs.pause_exactly(slugs, shop.channel_facts)
            if {"default_sender_name", "default_sender_email"} & sent.keys():
                recovery_settings.fill_missing_senders(
                    values.get("default_sender_name") or "", values.get("default_sender_email") or ""
                )
        return plugin_configuration

    @_never_raises
    def order_created(self, order, webhooks=None):
        _enqueue_after_commit(tasks.attribute_order_task, str(order.pk))

    @_never_raises
    def order_fully_paid(self, order, webhooks=None):
        _enqueue_after_commit(tasks.sync_order_task, str(order.pk))

    @_never_raises
    def order_refunded(self, order, webhooks=None):
        _enqueue_after_commit(tasks.sync_order_task, str(order.pk))

    @_never_raises
    def order_fully_refunded(self, order, webhooks=None):
        _enqueue_after_commit(tasks.sync_order_task, str(order.pk))

    @_never_raises
    def order_cancelled(self, order, webhooks=None):
        _enqueue_after_commit(tasks.sync_order_task, str(order.pk))

    @_never_raises
    def customer_created(self, customer):
        _enqueue_after_commit(tasks.attach_guest_points_task, customer.pk, customer.email)
        _enqueue_after_commit(tasks.account_created_action_task, customer.pk, customer.email)

    @_never_raises
    def customer_updated(self, customer, webhooks=None):
        _enqueue_after_commit(tasks.profile_completed_action_task, customer.pk)

    @_never_raises
    def customer_deleted(self, customer, webhooks=None):
        _enqueue_after_commit(tasks.forget_customer_task, customer.pk, customer.email)

    @_never_raises
    def checkout_created(self, checkout, webhooks=None):
        self._record_checkout(checkout)
        _carry_club_benefits(checkout)

    @_never_raises
    def checkout_updated(self, checkout, webhooks=None):
        self._record_checkout(checkout)
        _carry_club_benefits(checkout)

    def preprocess_order_creation(self, checkout_info, lines, previous_value):
        """Saleor's last look before an order exists: a club code or club shipping method the customer
        was not given fails here, as Saleor's own typed checkout error."""
        if not self.active:
            return previous_value
        with runtime.writer_connection():
            facts = checkouts.checkout_benefit_facts(checkout_info.checkout)
            try:
                order_guard.check_order_creation(facts)
            except ClubBenefitRefused as refusal:
                raise checkouts.order_creation_error(refusal) from refusal
        return previous_value

    def _record_checkout(self, checkout):
        _enqueue_after_commit(
            tasks.record_checkout_activity_task,
            str(checkout.pk),
            checkout.channel.slug,
            checkout.user_id,
            checkout.get_customer_email() or "",
            timezone.now().isoformat(),
        )

    def webhook(self, request, path, previous_value):
        if not self.active:
            return previous_value
        if path.startswith(unsubscribe.PATH_PREFIX):
            return unsubscribe.handle(request, path)
        if path.startswith(share_links.PATH_PREFIX):
            return share_links.handle(request, path, identify=auth.signed_in_user_id)
        if path.startswith(tracking.PATH_PREFIX):  # campaign opens and clicks
            return tracking.handle(request, path)
        if path.startswith(feedback_endpoint.PATH_PREFIX):  # providers' complaints and bounces
            return feedback_endpoint.handle(request, path)
        if path.startswith(nps.PATH_PREFIX):  # NPS score links and comments
            return nps.handle(request, path)
        page = club_pages.handle(request, path)  # the Dashboard app and the storefront card
        if page is not None:
            return page
        if path.rstrip("/") + "/" != GRAPHQL_PATH:
            return previous_value
        return views.handle(request, _club_context, self.settings.graphiql_enabled or settings.DEBUG)


def _carry_club_benefits(checkout):
    """Runs in Saleor's request, on the checkout object Saleor answers with, so the reply shows it.
    Its own savepoint: a failure here rolls back only the club's part, never Saleor's transaction."""
    with runtime.writer_connection(), transaction.atomic():
        plan = checkout_benefits.plan_checkout(
            checkouts.checkout_benefit_facts(checkout), checkouts.SaleorVouchers()
        )
        if isinstance(plan.voucher, checkout_benefits.Apply):
            checkouts.set_checkout_voucher(checkout, plan.voucher.code)
        elif isinstance(plan.voucher, checkout_benefits.Remove):
            checkouts.set_checkout_voucher(checkout, None)
        method_id = plan.method_to_pick(lambda: checkouts.available_built_in_method_ids(checkout))
        if method_id is not None:
            checkouts.assign_built_in_method(checkout, method_id)
        gift_cards.saleor_gift_cards.refit_card_authorizations(checkout)


def _club_context(request) -> ClubContext:
    try:
        requestor = auth.requestor_from_request(request, club_app_identifier=club_app.APP_ID)
    except jwt.PyJWTError as error:
        raise PermissionError(f"Invalid token: {error}") from None
    return ClubContext(
        requestor=requestor,
        channel_lookup=shop.channel_facts,
        cards=gift_cards.saleor_gift_cards,
        catalog=shop.catalog_ids,
        shipping_method_exists=checkouts.club_shipping_method_exists,
        client_ip=request.META.get("REMOTE_ADDR", ""),
        shop=abandoned_checkouts.SaleorShop(),
        orders=order_owners.order_owner,
        referrals=referral_vouchers.saleor_referrals,
        variants=membership_products.variants,
    )
