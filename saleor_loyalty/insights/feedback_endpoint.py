"""The endpoint mail providers post complaints and bounces to: `/feedback/webhook/` and `/feedback/ses/`.

Nothing is trusted before it is authenticated, and nothing is written unless the whole notice parsed:
- the generic webhook signs `<timestamp>.<body>` with HMAC-SHA256 under LOYALTY_FEEDBACK_WEBHOOK_SECRET
  (headers `X-Loyalty-Timestamp`, `X-Loyalty-Signature: v1=<hex>`), compared in constant time; a
  timestamp further than LOYALTY_FEEDBACK_TOLERANCE_SECONDS (300) from now is refused, so a captured
  request cannot be replayed later (and within the window a replay counts once: `feedback`'s constraint);
- Amazon SES posts through SNS: the message's RSA signature is checked against the certificate at its
  SigningCertURL (https, an `sns.<region>.amazonaws.com` host, fetched once per URL), its topic must be one
  of LOYALTY_FEEDBACK_SNS_TOPIC_ARNS (anyone can sign with their own topic), and its Timestamp must be
  younger than LOYALTY_FEEDBACK_SNS_MAX_AGE_SECONDS (3600; SNS retries for a while). A subscription
  confirmation that passed those checks is confirmed by visiting its SubscribeURL (same host rule).
An endpoint whose secret or topics are not configured answers 404, as if it did not exist. Bodies are
bounded (64 KiB), JSON only, strictly shaped; every refusal is a JSON `{"error": {"code", "message"}}`.
"""

import base64
import hashlib
import hmac
import json
import re
import urllib.request
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlparse

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone

from saleor_loyalty.insights import feedback
from saleor_loyalty.insights.feedback import FeedbackRefused

PATH_PREFIX = "/feedback/"
MAX_BODY = 64 * 1024
MAX_PEM = 16 * 1024
_SNS_HOST = re.compile(r"sns\.[a-z0-9-]{1,40}\.amazonaws\.com(\.cn)?")
_GENERIC_KEYS = {"event", "message_id", "email", "bounce_type"}
_SNS_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
_SNS_FIELDS["UnsubscribeConfirmation"] = _SNS_FIELDS["SubscriptionConfirmation"]


def _refused(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _tolerance() -> int:
    return int(getattr(settings, "LOYALTY_FEEDBACK_TOLERANCE_SECONDS", 300))


def _body(request) -> bytes:
    """The request body, refused beyond MAX_BODY before it is read (Content-Length) and after (chunked)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise FeedbackRefused(400, "bad_request", "Content-Length is not a number.") from None
    if declared > MAX_BODY:
        raise FeedbackRefused(413, "too_large", f"At most {MAX_BODY} bytes.")
    body = request.body
    if len(body) > MAX_BODY:
        raise FeedbackRefused(413, "too_large", f"At most {MAX_BODY} bytes.")
    return body


def _json_object(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise FeedbackRefused(400, "bad_json", "The body is not JSON.") from None
    if not isinstance(data, dict):
        raise FeedbackRefused(400, "bad_json", "The body is a JSON object.")
    return data


def _string(data: dict, key: str, limit: int, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise FeedbackRefused(400, "invalid_field", f"`{key}` is a string of 1 to {limit} characters.")
    return value


def handle(request, path: str, now: datetime | None = None) -> JsonResponse:
    """`path` follows the plugin id: /feedback/webhook/ or /feedback/ses/."""
    now = now or timezone.now()
    route = path[len(PATH_PREFIX) :].strip("/")
    handler = {"webhook": _webhook, "ses": _ses}.get(route)
    if handler is None:
        return _refused(404, "not_found", "No such endpoint.")
    try:
        if request.method != "POST":
            raise FeedbackRefused(405, "method_not_allowed", "POST only.")
        return handler(request, now)
    except FeedbackRefused as refused:
        return _refused(refused.status, refused.code, refused.message)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value a sender computes (documented for providers; tests use it)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def _webhook(request, now: datetime) -> JsonResponse:
    secret = getattr(settings, "LOYALTY_FEEDBACK_WEBHOOK_SECRET", "")
    if not secret:
        raise FeedbackRefused(404, "not_found", "No such endpoint.")
    if request.content_type != "application/json":
        raise FeedbackRefused(415, "unsupported_media_type", "Send application/json.")
    body = _body(request)
    stamp = request.headers.get("X-Loyalty-Timestamp", "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        raise FeedbackRefused(401, "bad_signature", "X-Loyalty-Timestamp is unix seconds.")
    given = request.headers.get("X-Loyalty-Signature", "")
    if not hmac.compare_digest(sign(secret, int(stamp), body).encode(), given.encode()):
        raise FeedbackRefused(401, "bad_signature", "The signature does not match the body.")
    if abs(now.timestamp() - int(stamp)) > _tolerance():
        raise FeedbackRefused(401, "stale", "The timestamp is outside the tolerance; send it afresh.")
    data = _json_object(body)
    if set(data) - _GENERIC_KEYS:
        raise FeedbackRefused(
            400, "invalid_field", f"Unknown fields: {', '.join(sorted(set(data) - _GENERIC_KEYS))}."
        )
    event = _string(data, "event", 16)
    bounce_type = _string(data, "bounce_type", 8, required=False)
    if bounce_type and (event != "bounce" or bounce_type not in ("hard", "soft")):
        raise FeedbackRefused(400, "invalid_field", "`bounce_type` is hard or soft, for a bounce.")
    kind = feedback.SOFT_BOUNCE if bounce_type == "soft" else event
    if kind not in (feedback.COMPLAINT, feedback.BOUNCE, feedback.SOFT_BOUNCE, feedback.UNSUBSCRIBE):
        raise FeedbackRefused(400, "invalid_event", "`event` is complaint, bounce or unsubscribe.")
    email = _string(data, "email", 254, required=False)
    recorded = feedback.record(
        _string(data, "message_id", 998), kind, "webhook", now, (email,) if email else ()
    )
    return JsonResponse({"recorded": recorded})


def fetch_pem(url: str) -> bytes:
    """The signing certificate, bounded; replaced in tests."""
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (https, SNS host checked)
        return response.read(MAX_PEM + 1)


@lru_cache(maxsize=16)
def _public_key(url: str):
    pem = fetch_pem(url)
    if len(pem) > MAX_PEM:
        raise FeedbackRefused(401, "bad_signature", "The signing certificate is too large.")
    return x509.load_pem_x509_certificate(pem).public_key()


def _sns_url(url: str, path_suffix: str = "") -> str:
    parsed = urlparse(url)
    if parsed.scheme != "https" or not _SNS_HOST.fullmatch(parsed.hostname or "") or parsed.port:
        raise FeedbackRefused(401, "bad_signature", "Not an SNS URL.")
    if path_suffix and not parsed.path.endswith(path_suffix):
        raise FeedbackRefused(401, "bad_signature", "Not an SNS signing certificate.")
    return url


def _verify_sns(data: dict) -> None:
    kind = data.get("Type")
    if kind not in _SNS_FIELDS:
        raise FeedbackRefused(400, "invalid_field", "Unknown SNS message type.")
    if data.get("TopicArn") not in set(getattr(settings, "LOYALTY_FEEDBACK_SNS_TOPIC_ARNS", ())):
        raise FeedbackRefused(403, "unknown_topic", "The topic is not configured here.")
    version = data.get("SignatureVersion")
    algorithm = {"1": hashes.SHA1, "2": hashes.SHA256}.get(version)
    if algorithm is None:
        raise FeedbackRefused(401, "bad_signature", "SignatureVersion is 1 or 2.")
    canonical = "".join(
        f"{key}\n{data[key]}\n" for key in _SNS_FIELDS[kind] if isinstance(data.get(key), str)
    )
    try:
        signature = base64.b64decode(_string(data, "Signature", 1024), validate=True)
        key = _public_key(_sns_url(_string(data, "SigningCertURL", 512), ".pem"))
        key.verify(signature, canonical.encode(), padding.PKCS1v15(), algorithm())
    except (InvalidSignature, ValueError, OSError):
        raise FeedbackRefused(401, "bad_signature", "The SNS signature does not verify.") from None


def _sns_time(data: dict, now: datetime) -> None:
    try:
        stamp = datetime.fromisoformat(_string(data, "Timestamp", 40).replace("Z", "+00:00"))
    except ValueError:
        raise FeedbackRefused(400, "invalid_field", "Timestamp is ISO 8601.") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    age = int(getattr(settings, "LOYALTY_FEEDBACK_SNS_MAX_AGE_SECONDS", 3600))
    if not now - timedelta(seconds=age) <= stamp <= now + timedelta(seconds=_tolerance()):
        raise FeedbackRefused(401, "stale", "The SNS message is too old (or from the future).")


def confirm_subscription(url: str) -> None:
    """Visit the SubscribeURL of a verified confirmation (replaced in tests)."""
    with urllib.request.urlopen(_sns_url(url), timeout=5) as response:  # noqa: S310 (SNS host checked)
        response.read(MAX_PEM)


def _ses(request, now: datetime) -> JsonResponse:
    if not getattr(settings, "LOYALTY_FEEDBACK_SNS_TOPIC_ARNS", ()):
        raise FeedbackRefused(404, "not_found", "No such endpoint.")
    data = _json_object(_body(request))
    _verify_sns(data)
    _sns_time(data, now)
    if data["Type"] == "SubscriptionConfirmation":
        confirm_subscription(_string(data, "SubscribeURL", 2048))
        return JsonResponse({"confirmed": True})
    if data["Type"] == "UnsubscribeConfirmation":
        return JsonResponse({"recorded": False})
    notice = _json_object(_string(data, "Message", MAX_BODY).encode())
    kind_name = notice.get("notificationType") or notice.get("eventType")
    if kind_name not in ("Bounce", "Complaint"):
        return JsonResponse({"recorded": False, "ignored": str(kind_name)[:32]})  # deliveries, opens…
    message_id, emails = _ses_message(notice, kind_name)
    if kind_name == "Complaint":
        kind = feedback.COMPLAINT
    else:
        kind = feedback.BOUNCE if notice["bounce"].get("bounceType") == "Permanent" else feedback.SOFT_BOUNCE
    return JsonResponse({"recorded": feedback.record(message_id, kind, "ses", now, emails)})


def _ses_message(notice: dict, kind_name: str) -> tuple[str, tuple[str, ...]]:
    """Our Message-ID (from the original mail's headers) and the addresses the notice is about."""
    mail = notice.get("mail")
    detail = notice.get(kind_name.lower())
    if not isinstance(mail, dict) or not isinstance(detail, dict):
        raise FeedbackRefused(400, "invalid_field", "An SES notice has `mail` and its detail.")
    common = mail.get("commonHeaders") if isinstance(mail.get("commonHeaders"), dict) else {}
    message_id = common.get("messageId")
    if not isinstance(message_id, str):
        headers = mail.get("headers") if isinstance(mail.get("headers"), list) else []
        message_id = next(
            (
                h.get("value")
                for h in headers
                if isinstance(h, dict) and str(h.get("name")).lower() == "message-id"
            ),
            None,
        )
    if not isinstance(message_id, str) or len(message_id) > 998:
        raise FeedbackRefused(
            400, "invalid_field", "The notice names no Message-ID (include original headers)."
        )
    listed = detail.get("complainedRecipients" if kind_name == "Complaint" else "bouncedRecipients")
    if not isinstance(listed, list) or not listed or len(listed) > 50:
        raise FeedbackRefused(400, "invalid_field", "The notice lists its recipients.")
    emails = tuple(str(r.get("emailAddress", ""))[:254] for r in listed if isinstance(r, dict))
    return message_id, emails
