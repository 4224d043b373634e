"""The gate every outgoing message passes. It blocks; it never patches a message into shape.

§30A counts damages per message, so anything missing blocks the send and is logged as the reason:
recorded opt-in (marketing), the advertising label opening the subject (Israeli channels and Hebrew
messages, or countries configured in LOYALTY_AD_LABELS), the sender's name and contact address, a
signed unsubscribe link in the body, and the RFC 8058 one-click header pair.
"""

from saleor_loyalty.messages.config import ad_labels
from saleor_loyalty.messages.rendering import Rendered
from saleor_loyalty.messages.unsubscribe import read_token

ONE_CLICK = "List-Unsubscribe=One-Click"


def required_label(country: str, language: str) -> str:
    labels = ad_labels()
    if country in labels:
        return labels[country]
    if language == "he":
        return labels.get("IL", "פרסומת")
    return ""


def _link_works(url: str, known_keys: dict | None = None) -> bool:
    token = url.rstrip("/").rsplit("/", 1)[-1]
    return read_token(token, known_keys) is not None


def check_email(
    rendered: Rendered,
    *,
    marketing: bool,
    consent_ok: bool,
    country: str,
    language: str,
    sender_name: str,
    sender_email: str,
    contact_address: str,
    unsubscribe_url: str,
    known_keys: dict | None = None,
) -> list[str]:
    """`known_keys`: the unsubscribe keys the caller just read for its batch (else the link is looked up)."""
    problems = []
    if not sender_name or sender_name not in rendered.text:
        problems.append("sender name missing")
    if not sender_email:
        problems.append("sender email missing")
    if not contact_address or contact_address not in rendered.text:
        problems.append("contact address missing")
    if not marketing:
        return problems
    if not consent_ok:
        problems.append("no recorded opt-in")
    label = required_label(country, language)
    if label and not rendered.subject.startswith(label):
        problems.append(f"subject must open with '{label}'")
    if not unsubscribe_url or not _link_works(unsubscribe_url, known_keys):
        problems.append("no working unsubscribe link")
    elif unsubscribe_url not in rendered.text or unsubscribe_url not in rendered.html:
        problems.append("unsubscribe link missing from the body")
    if f"<{unsubscribe_url}>" not in rendered.headers.get("List-Unsubscribe", ""):
        problems.append("List-Unsubscribe header missing")
    if rendered.headers.get("List-Unsubscribe-Post") != ONE_CLICK:
        problems.append("List-Unsubscribe-Post one-click header missing")
    return problems


def check_sms(
    text: str,
    *,
    marketing: bool,
    consent_ok: bool,
    country: str,
    language: str,
    sender_name: str,
    unsubscribe_url: str,
) -> list[str]:
    problems = []
    if not sender_name or sender_name not in text:
        problems.append("sender name missing")
    if not marketing:
        return problems
    if not consent_ok:
        problems.append("no recorded opt-in")
    label = required_label(country, language)
    if label and not text.startswith(label):
        problems.append(f"message must open with '{label}'")
    if not unsubscribe_url or not _link_works(unsubscribe_url) or unsubscribe_url not in text:
        problems.append("no working unsubscribe link")
    return problems
