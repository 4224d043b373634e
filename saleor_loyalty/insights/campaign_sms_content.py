"""An SMS campaign's text: checked at save, its segments counted, and finished per member at claim time.

Every SMS carries what §30A asks of an advertisement by text: the advertising label opening it (as the
email subject does), the sender's name and how to refuse (reply "הסר"/STOP, or the short signed
unsubscribe link). The staff place that part with the `{opt_out}` merge field, exactly once: content
without it is refused at save with its own error code, never patched at send time; the compliance gate
checks the finished text again before the provider sees it. Links become short signed click links.
The segment count shown at save is that of the text as a member gets it, with the label, the opt-out
part and the links at their sent length (merge fields as written: a name may be longer).
"""

from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.insights import merge_fields, tracking
from saleor_loyalty.messages import compliance, sms_segments, unsubscribe
from saleor_loyalty.messages.config import public_url

OPT_OUT = "{opt_out}"
MAX_BODY, MAX_SEGMENTS, MAX_LINKS = 480, 6, 3
OPT_OUT_TEXT = {
    "he": "{sender}: להסרה השיבו הסר או {link}",
    "en": "{sender}: to stop reply STOP or {link}",
}


class SmsOptOutRequired(LoyaltyError):
    """An SMS without the way to refuse it cannot be sent under §30A."""

    code = LoyaltyErrorCode.SMS_OPT_OUT_REQUIRED


class SmsTooLong(LoyaltyError):
    code = LoyaltyErrorCode.OUT_OF_RANGE


def finish(body: str, language: str, country: str, sender_name: str, unsubscribe_url: str) -> str:
    """The text as sent: label, the body (merged, links already tracked) with its opt-out part filled in."""
    opt_out = OPT_OUT_TEXT[language].format(sender=sender_name, link=unsubscribe_url)
    text = body.replace(OPT_OUT, opt_out)
    label = compliance.required_label(country, language)
    return f"{label}: {text}" if label else text


def _sample_links(body: str, language: str) -> str:
    sample = iter(
        tracking.sms_click_url(10**7, 10**4, 10**5, language, index) for index in range(MAX_LINKS + 1)
    )
    return merge_fields.LINK.sub(lambda _: next(sample), body)


def preview(body: str, language: str, country: str, sender_name: str) -> sms_segments.Segments:
    """The segments of the text a member gets (a sample unsubscribe link of the sent length)."""
    sample_key = "x" * 22 + "." + "0" * unsubscribe.SHORT_TAG
    link = f"{public_url()}{unsubscribe.URL_PREFIX}{sample_key}/"
    return sms_segments.count(
        finish(_sample_links(body, language), language, country, sender_name or "", link)
    )


def check(body: str, language: str, at: str, country: str, sender_name: str) -> str:
    """The body as saved, or a typed error naming the field."""
    body = " ".join((body or "").split())  # a text is one paragraph: line breaks cost and render unevenly
    if not 0 < len(body) <= MAX_BODY:
        raise LoyaltyError(f"An SMS needs 1 to {MAX_BODY} characters.", at)
    if body.count(OPT_OUT) != 1:
        raise SmsOptOutRequired(
            f"Put {OPT_OUT} in the text once: the sender's name and how to refuse (§30A).", at
        )
    merge_fields.check(body.replace(OPT_OUT, ""), at)
    if len(merge_fields.links(body)) > MAX_LINKS:
        raise LoyaltyError(f"At most {MAX_LINKS} links in an SMS.", at)
    found = preview(body, language, country, sender_name)
    if found.segments > MAX_SEGMENTS:
        raise SmsTooLong(f"The text is {found.segments} segments; at most {MAX_SEGMENTS}.", at)
    return body
