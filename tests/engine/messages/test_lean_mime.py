"""`lean_mime` against Django's EmailMultiAlternatives on the shapes a club email can take: ASCII or Hebrew
parts, long and encoded headers, unusual addresses; and the refusal of what it cannot write exactly."""

import random
import re

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import forbid_multi_line_headers, sanitize_address

from saleor_loyalty.messages import lean_mime

LONG_URL = "https://shop.example.co.il/loyalty/unsubscribe/" + "k" * 60


def _normalised(data: bytes) -> str:
    boundary = re.search(rb'boundary="([^"]+)"', data).group(1)
    data = data.replace(boundary, b"BOUNDARY")
    return re.sub(rb"\r\nDate: [^\r]+\r\n", b"\r\nDate: -\r\n", data).decode()


@pytest.mark.parametrize(
    ("sender", "to", "subject", "text", "html"),
    [
        ("Shop <shop@example.com>", "a@example.com", "Sale", "Hello\nBye", "<p>Hello</p>\n"),
        (
            "חנות דנה <shop@example.co.il>",
            "b.c+d@example.co.il",
            "פרסומת: מבצע",
            "שלום\r\nלהתראות\n",
            "<p>שלום</p>",
        ),
        (
            '"A very long sender name, with a comma" <s@example.com>',
            "x@example.com",
            "s " * 60,
            "t\r",
            "h\n\n",
        ),
        ("Shop <shop@example.com>", "Dana Cohen <dana@example.com>", "Sale", "ok", "ok"),
        ("Shop <shop@example.com>", "דנה@דוגמה.ישראל", "Sale", "ok", "ok"),
    ],
)
def test_the_lean_bytes_equal_djangos(sender, to, subject, text, html):
    headers = {
        "List-Unsubscribe": f"<{LONG_URL}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": "<campaign-1-abc@example.co.il>",
    }
    writer = lean_mime.Writer(sender, "remove@example.co.il")
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=sender,
        to=[to],
        reply_to=["remove@example.co.il"],
        headers=headers,
    )
    email.attach_alternative(html, "text/html")

    lean = writer.message(subject, to, text, html, headers)

    assert _normalised(lean) == _normalised(email.message().as_bytes(linesep="\r\n"))
    assert writer.envelope_from == sanitize_address(sender, "utf-8")
    assert writer.envelope_to(to) == [sanitize_address(to, "utf-8")]


def test_a_line_django_would_encode_quoted_printable_is_refused():
    writer = lean_mime.Writer("Shop <shop@example.com>", "shop@example.com")
    with pytest.raises(lean_mime.Unsupported):
        writer.message("Sale", "a@example.com", "x" * 999, "<p>ok</p>", {})


def test_headers_fold_as_the_email_package_folds_them():
    # given random header values: links and ids of any length, with and without places to fold at
    rng = random.Random(11)
    unfoldable = [chr(c) for c in range(33, 127) if chr(c) not in ";,"]
    anything = unfoldable + [" ", ";", ",", "\t", "ש", "é"]
    for _ in range(3000):
        alphabet = rng.choice([unfoldable, anything])
        value = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 1200)))
        name = rng.choice(["List-Unsubscribe", "Message-ID", "List-Unsubscribe-Post", "X-Campaign"])
        _, checked = forbid_multi_line_headers(name, value, "utf-8")

        # then the lean header is what compat32 folding writes
        assert lean_mime._header(name, value, "utf-8") == lean_mime._POLICY.fold(name, checked), value
