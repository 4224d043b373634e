"""Club news of the paid membership ("ending soon", "ended"), in the member's channel language, through
the consent-aware pipeline (consent, the §30A gate, quiet hours and Shabbat apply there)."""

from saleor_loyalty.engagement.membership import local_end_date
from saleor_loyalty.messages import club, pipeline, rendering
from saleor_loyalty.models import LoyaltyProgram, Medium, Membership, MessagingSettings, TierTranslation

claim = club.claim
deliver = club.deliver


def club_news_on(program: LoyaltyProgram) -> bool:
    """The channel switched club news on and its program gives value now."""
    return (
        program.gives_value()
        and MessagingSettings.objects.filter(
            channel_slug=program.channel_slug, club_messages_enabled=True
        ).exists()
    )


def _message(category: str, membership: Membership) -> pipeline.Outgoing:
    program, plan = membership.program, membership.plan
    language = rendering.pick_language("", pipeline.channel_settings(program.channel_slug).default_language)
    return pipeline.Outgoing(
        category=category,
        medium=Medium.EMAIL,
        channel_slug=program.channel_slug,
        address=membership.account.email,
        context={
            "plan": plan.name,
            "tier": TierTranslation.objects.name_for(plan.tier_id, plan.tier.name, language),
            "ends_on": local_end_date(membership).isoformat(),
        },
    )


def ending_soon(membership: Membership) -> pipeline.Outgoing:
    return _message("membership_ending", membership)


def ended(membership: Membership) -> pipeline.Outgoing:
    return _message("membership_ended", membership)
