"""Signed unsubscribe links: no login, never expire, and cannot be forged to silence someone else.

The link carries (medium, person hash) signed with HMAC-SHA256 under the deployment's SECRET_KEY.
GET shows a confirmation form (mail scanners follow links); POST unsubscribes, including the RFC 8058
one-click POST that mail clients send with `List-Unsubscribe=One-Click`.
"""

from django.core import signing
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.html import escape

from saleor_loyalty.messages import consent
from saleor_loyalty.messages.config import public_url
from saleor_loyalty.models import Medium

SALT = "saleor_loyalty.unsubscribe"
PATH_PREFIX = "/unsubscribe/"
URL_PREFIX = "/plugins/global/saleor.loyalty/unsubscribe/"


def make_token(medium: str, subject: str) -> str:
    return signing.Signer(salt=SALT, algorithm="sha256").sign_object({"m": medium, "s": subject})


def read_token(token: str) -> tuple[str, str] | None:
    try:
        data = signing.Signer(salt=SALT, algorithm="sha256").unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("m") not in Medium.values or not isinstance(data.get("s"), str):
        return None
    return data["m"], data["s"]


def link(medium: str, subject: str) -> str:
    return f"{public_url()}{URL_PREFIX}{make_token(medium, subject)}/"


_PAGE = """<!doctype html><html lang="he" dir="rtl"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family:sans-serif;max-width:36em;margin:3em auto"><p>{body}</p>{form}</body></html>"""
_FORM = """<form method="post"><input type="hidden" name="confirm" value="1">
<button type="submit">הסירו אותי / Unsubscribe me</button></form>"""


def handle(request, path: str) -> HttpResponse:
    """`path` is what follows the plugin id: /unsubscribe/<token>/."""
    token = path[len(PATH_PREFIX) :].strip("/")
    parsed = read_token(token)
    if parsed is None:
        return HttpResponseBadRequest(
            _PAGE.format(
                title="Invalid link", body="הקישור אינו תקין. / This unsubscribe link is not valid.", form=""
            )
        )
    medium, subject = parsed
    if request.method == "POST":
        consent.suppress_hash(subject, medium, reason="unsubscribed")
        return HttpResponse(
            _PAGE.format(
                title="Unsubscribed",
                body="הוסרת מרשימת הדיוור. / You will get no more marketing messages.",
                form="",
            )
        )
    if request.method == "GET":
        return HttpResponse(
            _PAGE.format(
                title="Unsubscribe",
                body=escape("להסרה מדיוור שיווקי לחצו כאן. / Confirm to stop marketing messages."),
                form=_FORM,
            )
        )
    return HttpResponse(status=405)
