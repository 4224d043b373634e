"""Staff settings of a program's flows and its segment borders: validated whole, saved whole, or refused.

A flow's steps are at most five, their delays in days ascending from the trigger (0 to 365), each with
content in Hebrew and/or English (subject up to 150 characters, body up to 4,000). Nothing is saved when
any field is wrong; the error names the field.
"""

from decimal import Decimal, InvalidOperation

from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.messages.rendering import LANGUAGES
from saleor_loyalty.models import Flow, FlowKind, IncentiveKind, LoyaltyProgram, SegmentSettings

MAX_STEPS = 5
MAX_SUBJECT = 150
MAX_BODY = 4000


class OutOfRange(LoyaltyError):
    """A number outside what the setting allows."""

    code = LoyaltyErrorCode.OUT_OF_RANGE


def _int_in(value, low: int, high: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise OutOfRange(f"Give a whole number from {low} to {high}.", field)
    return value


def _steps(steps) -> list[dict]:
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        raise OutOfRange(f"A flow has 1 to {MAX_STEPS} steps.", "steps")
    cleaned, previous = [], -1
    for index, step in enumerate(steps):
        after = _int_in(step.get("after_days"), 0, 365, f"steps.{index}.after_days")
        if after <= previous and index:
            raise LoyaltyError("Step delays must increase.", f"steps.{index}.after_days")
        previous = after
        content = {}
        for item in step.get("content") or []:
            language = item.get("language")
            if language not in LANGUAGES or language in content:
                raise LoyaltyError(f"Content languages are {', '.join(LANGUAGES)}, each once.", "steps")
            subject, body = (item.get("subject") or "").strip(), (item.get("body") or "").strip()
            if not subject or len(subject) > MAX_SUBJECT or "\n" in subject:
                raise LoyaltyError(f"A subject is one line of 1 to {MAX_SUBJECT} characters.", "steps")
            if not body or len(body) > MAX_BODY:
                raise LoyaltyError(f"A body has 1 to {MAX_BODY} characters.", "steps")
            content[language] = {"subject": subject, "body": body}
        if not content:
            raise LoyaltyError("Each step needs content in at least one language.", f"steps.{index}.content")
        cleaned.append({"after_days": after, "incentive": bool(step.get("incentive")), "content": content})
    return cleaned


def update_flow(program: LoyaltyProgram, kind: str, **changes) -> Flow:
    """Change a flow (created on first change, off until staff switch it on)."""
    if kind not in FlowKind.values:
        raise LoyaltyError("Unknown flow kind.", "kind")
    flow = Flow.objects.filter(program=program, kind=kind).first() or Flow(program=program, kind=kind)
    if "steps" in changes:
        flow.steps = _steps(changes["steps"])
    if "enabled" in changes:
        flow.enabled = bool(changes["enabled"])
    if "incentive" in changes:
        if changes["incentive"] not in IncentiveKind.values:
            raise LoyaltyError("Unknown incentive.", "incentive")
        flow.incentive = changes["incentive"]
    limits = {
        "incentive_points": (0, 100_000),
        "voucher_percent": (0, 50),
        "voucher_days": (1, 90),
        "holdout_percent": (0, 50),
        "attribution_days": (1, 60),
    }
    for name, (low, high) in limits.items():
        if name in changes:
            setattr(flow, name, _int_in(changes[name], low, high, name))
    if flow.enabled and not flow.steps:
        raise LoyaltyError("Give the flow its steps before switching it on.", "steps")
    if flow.incentive == IncentiveKind.POINTS and not flow.incentive_points:
        raise LoyaltyError("Bonus points need a number of points.", "incentive_points")
    if flow.incentive == IncentiveKind.VOUCHER and not flow.voucher_percent:
        raise LoyaltyError("A voucher needs a percentage.", "voucher_percent")
    flow.save()
    return flow


def _factor(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise LoyaltyError("Give a number.", field) from None
    if (
        not number.is_finite()
        or not Decimal("1") < number <= Decimal("20")
        or number != number.quantize(Decimal("0.01"))
    ):
        raise OutOfRange("Give a number above 1 and at most 20, with at most two decimals.", field)
    return number


def update_segment_settings(program: LoyaltyProgram, **changes) -> SegmentSettings:
    settings = SegmentSettings.objects.filter(program=program).first() or SegmentSettings(program=program)
    ranges = {"new_days": (1, 365), "default_interval_days": (1, 730), "min_interval_days": (1, 365)}
    ranges["loyal_min_orders"] = (2, 1000)
    for name, (low, high) in ranges.items():
        if name in changes:
            setattr(settings, name, _int_in(changes[name], low, high, name))
    for name in ("at_risk_factor", "lapsed_factor"):
        if name in changes:
            setattr(settings, name, _factor(changes[name], name))
    if settings.lapsed_factor <= settings.at_risk_factor:
        raise LoyaltyError("Lapsed must come after at risk (a larger factor).", "lapsed_factor")
    settings.save()
    return settings
