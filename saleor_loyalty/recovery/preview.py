"""What each reminder step would look like, in Hebrew and in English, and whether the §30A gate lets it out.

A preview renders the channel's saved settings through the same templates and the same compliance
checks (`messages.compliance`) the pipeline applies before a send, on a sample cart, for a recipient
assumed to have opted in: what it judges is the message itself (label, sender, contact address,
unsubscribe link and headers), not anyone's consent. It writes nothing and sends nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from saleor_loyalty.messages import compliance, consent, pipeline, rendering, unsubscribe
from saleor_loyalty.messages.config import CART_REMINDER
from saleor_loyalty.models import Medium, MessagingSettings
from saleor_loyalty.recovery.abandonment import steps_of

SAMPLE_ADDRESS = {Medium.EMAIL: "preview@example.com", Medium.SMS: "+972500000000"}
SAMPLE_LINES = {
    "he": [
        {"name": "לחם מחמצת", "quantity": 2, "total": "64.00"},
        {"name": "עוגת גבינה", "quantity": 1, "total": "118.00"},
    ],
    "en": [
        {"name": "Sourdough", "quantity": 2, "total": "64.00"},
        {"name": "Cheesecake", "quantity": 1, "total": "118.00"},
    ],
}
SAMPLE_CODE = "PREVIEW-CODE"


@dataclass(frozen=True)
class StepPreview:
    step: int
    medium: str
    language: str
    subject: str
    text: str
    problems: list[str]

    @property
    def allowed(self) -> bool:
        return not self.problems


def _sample_context(config, currency: str, step: int, last: bool, language: str, now: datetime) -> dict:
    lines = SAMPLE_LINES[language]
    context = {
        "lines": lines,
        "total": sum((Decimal(line["total"]) for line in lines), Decimal(0)).normalize(),
        "currency": currency,
        "restore_url": config.restore_url_template.replace("{token}", "preview"),
        "step": step,
        "last_step": last,
        "points_to_earn": 182,
    }
    if last and config.last_step_discount_percent:
        expires = now + timedelta(hours=config.incentive_hours)
        context.update(
            incentive_code=SAMPLE_CODE,
            incentive_percent=config.last_step_discount_percent,
            incentive_expires=expires.astimezone(ZoneInfo(config.timezone)).strftime("%d/%m/%Y %H:%M"),
        )
    return context


def preview_one(
    config: MessagingSettings, currency: str, step: int, medium: str, language: str, now: datetime
) -> StepPreview:
    last = step == len(steps_of(config)) - 1
    unsubscribe_url = unsubscribe.link(medium, consent.subject_hash(medium, SAMPLE_ADDRESS[medium]))
    context = pipeline.message_context(
        _sample_context(config, currency, step, last, language, now), config, unsubscribe_url, language
    )
    common = {"marketing": True, "consent_ok": True, "country": config.country, "language": language}
    if medium == Medium.SMS:
        text = rendering.render_sms(CART_REMINDER, language, context)
        problems = compliance.check_sms(
            text, **common, sender_name=config.sender_name, unsubscribe_url=unsubscribe_url
        )
        return StepPreview(step, medium, language, "", text, problems)
    rendered = rendering.render_email(CART_REMINDER, language, context)
    rendered.headers.update(
        {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": compliance.ONE_CLICK}
    )
    problems = compliance.check_email(
        rendered,
        **common,
        sender_name=config.sender_name,
        sender_email=config.sender_email,
        contact_address=config.contact_address,
        unsubscribe_url=unsubscribe_url,
    )
    return StepPreview(step, medium, language, rendered.subject, rendered.text, problems)


def preview_steps(channel_slug: str, currency: str, now: datetime) -> list[StepPreview]:
    """Every step of the channel's reminder sequence, Hebrew first, then English."""
    config = pipeline.channel_settings(channel_slug)
    return [
        preview_one(config, currency, index, step["medium"], language, now)
        for index, step in enumerate(steps_of(config))
        for language in rendering.LANGUAGES
    ]
