"""An email's SMTP bytes written straight from its parts: the same bytes Django's EmailMultiAlternatives makes.

Django builds a tree of MIME objects and flattens it through the `email` generator for every message, which
costs more CPU than the SMTP conversation itself on a campaign batch. The structure of a club email is
always the same (multipart/alternative: the text part, then the HTML part), so the headers that are the
same for a whole batch (From, Reply-To, the part headers) are folded once, and each message only folds its
own (Subject, To, Date, Message-ID, List-Unsubscribe) with the same header rules Django applies
(`forbid_multi_line_headers`, compat32 folding at 78 columns, CRLF). Invariant: for every message this
module accepts, the headers and parts equal Django's (the only differences are the random MIME boundary
and the Date's second); a body Django would quoted-printable encode (a line over 998 bytes) is refused with
`Unsupported` and goes the regular way. A test compares the two for the same recipient.
"""

import random
import re
import sys
from email import policy as email_policy
from email.utils import formatdate
from functools import lru_cache
from time import time

from django.conf import settings
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    forbid_multi_line_headers,
    sanitize_address,
)

CRLF = "\r\n"
_LINE_END = re.compile(r"\r\n|\r|\n")
# An address every parser reads back as itself (ASCII dot-atoms): its envelope form is the address as is.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")
_POLICY = email_policy.compat32.clone(linesep=CRLF)
# A value with no place to fold at (printable ASCII without spaces, ';' or ','), such as an unsubscribe link:
# compat32 leaves it whole, on the name's line when it fits there, else alone on a continuation line.
_UNFOLDABLE = re.compile(r"[!-+\--:<-~]+")
_WIDTH = len(repr(sys.maxsize - 1))  # the stdlib generator's boundary format, as wide as it draws them


class Unsupported(ValueError):
    """A message this writer cannot reproduce exactly; the caller sends it through Django."""


@lru_cache(maxsize=256)
def _subject(value: str, encoding: str) -> str:
    """A campaign variant's subject is the same for many recipients: encoded once."""
    return _header("Subject", value, encoding)


def _header(name: str, value: str, encoding: str) -> str:
    name, value = forbid_multi_line_headers(name, value, encoding)
    if isinstance(value, str) and value.isascii():
        if len(name) + 2 + len(value) <= _POLICY.max_line_length:
            return f"{name}: {value}{CRLF}"  # what folding returns for a short ASCII line, without the work
        if _UNFOLDABLE.fullmatch(value):
            return f"{name}: {CRLF} {value}{CRLF}"
    return _POLICY.fold(name, value)


@lru_cache(maxsize=4)
def _date(second: int, localtime: bool) -> str:
    """The Date header of a message sent in this second (written once per second, not per message)."""
    return _header("Date", formatdate(second, localtime=localtime), settings.DEFAULT_CHARSET)


def _part(subtype: str, text: str, encoding: str) -> str:
    if any(len(line.encode()) > RFC5322_EMAIL_LINE_LENGTH_LIMIT for line in text.splitlines()):
        raise Unsupported("a line over 998 bytes is quoted-printable encoded")
    transfer = "7bit" if text.isascii() else "8bit"
    head = f'Content-Type: text/{subtype}; charset="{encoding}"{CRLF}MIME-Version: 1.0{CRLF}'
    body = CRLF.join(_LINE_END.split(text))  # how the generator writes a text payload
    return f"{head}Content-Transfer-Encoding: {transfer}{CRLF}{CRLF}{body}"


def _boundary(text: str) -> str:
    while True:
        boundary = "=" * 15 + f"{random.randrange(sys.maxsize):0{_WIDTH}d}" + "=="
        if boundary not in text:
            return boundary


class Writer:
    """One sender's emails: its From and Reply-To folded once, then `message` per recipient."""

    def __init__(self, from_email: str, reply_to: str):
        self.encoding = settings.DEFAULT_CHARSET
        self.envelope_from = sanitize_address(from_email, self.encoding)
        self.from_header = _header("From", from_email, self.encoding)
        self.reply_to_header = _header("Reply-To", reply_to, self.encoding)

    def envelope_to(self, address: str) -> list[str]:
        if _PLAIN_ADDRESS.fullmatch(address):
            return [address]
        return [sanitize_address(address, self.encoding)]

    def message(self, subject: str, to: str, text: str, html: str, headers: dict[str, str]) -> bytes:
        """The message's bytes with `headers` (Message-ID, List-Unsubscribe…) after Date, in their order."""
        encoding = self.encoding
        parts = _part("plain", text, encoding), _part("html", html, encoding)
        boundary = _boundary(parts[0] + parts[1])
        lines = [
            _header("Content-Type", f'multipart/alternative; boundary="{boundary}"', encoding),
            "MIME-Version: 1.0" + CRLF,
            _subject(subject, encoding),
            self.from_header,
            _header("To", to, encoding),
            self.reply_to_header,
            _date(int(time()), settings.EMAIL_USE_LOCALTIME),
            *(_header(name, value, encoding) for name, value in headers.items()),
            CRLF,
            f"--{boundary}{CRLF}{parts[0]}{CRLF}--{boundary}{CRLF}{parts[1]}{CRLF}--{boundary}--{CRLF}",
        ]
        return "".join(lines).encode(encoding)
