"""Templates per category and language (Hebrew right-to-left, English), overridable by the merchant.

A message template's first line is the subject; the rest is the text body. The HTML body wraps the
text in `layout.html` of the same language, which sets the direction and adds the legal footer.
Merchant folders in LOYALTY_TEMPLATE_DIRS come first, so a file at the same path replaces ours.
"""

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.template import Context, Engine

from saleor_loyalty.messages.config import template_dirs

PACKAGE_TEMPLATES = str(Path(__file__).resolve().parent.parent / "templates")
LANGUAGES = ("he", "en")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    headers: dict = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(f"{self.subject}\n{self.text}\n{self.html}".encode()).hexdigest()


@lru_cache(maxsize=8)
def _engine(dirs: tuple[str, ...]) -> Engine:
    return Engine(dirs=[*dirs, PACKAGE_TEMPLATES], autoescape=True)


def engine() -> Engine:
    return _engine(tuple(template_dirs()))


def pick_language(language_code: str, default: str = "he") -> str:
    code = (language_code or "").lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else (default if default in LANGUAGES else "en")


def render_email(category: str, language: str, context: dict) -> Rendered:
    text = (
        engine()
        .get_template(f"loyalty/messages/{language}/{category}.txt")
        .render(Context(context, autoescape=False))
    )
    subject, _, body = text.strip().partition("\n")
    body = body.strip()
    html = (
        engine()
        .get_template(f"loyalty/messages/{language}/layout.html")
        .render(Context({**context, "subject": subject.strip(), "body": body}))
    )
    return Rendered(subject=" ".join(subject.split()), text=body, html=html)


def render_sms(category: str, language: str, context: dict) -> str:
    headline = render_email(category, language, context).subject
    text = (
        engine()
        .get_template(f"loyalty/messages/{language}/sms.txt")
        .render(Context({**context, "headline": headline}, autoescape=False))
    )
    return " ".join(text.split())
