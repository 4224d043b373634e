"""A batch's renderer returns what Django's per-recipient render returns, byte for byte, for random recipients.

One `BatchRenderer` renders a whole random batch (so its plans and its urlize word cache are shared by
recipients whose names, points and links differ), and every message is compared with
`rendering.render_email` for the same context: our templates in both languages, every category, and
merchant templates that use the recipient's values in tags, filter arguments and other filters.
"""

import random
from pathlib import Path

import pytest
from django.template.defaultfilters import urlize
from django.utils.safestring import mark_safe

from saleor_loyalty.messages import rendering
from saleor_loyalty.messages.batch_rendering import BatchRenderer

CATEGORIES = sorted(
    path.stem
    for path in Path(rendering.PACKAGE_TEMPLATES, "loyalty/messages/en").glob("*.txt")
    if path.stem != "sms"
)
# Pieces a name or a value can be made of: markup, entities, quotes, Hebrew, RTL marks, links, addresses,
# emoji, punctuation urlize trims, blank lines (paragraphs), and nothing at all.
PIECES = [
    "",
    " ",
    "Dana",
    "דנה",
    "חבר/ת המועדון",
    "<b>",
    "</p>",
    "&",
    "&amp;",
    "&lt;",
    '"',
    "'",
    "\u200f",
    "\u202e",
    "😀",
    "👩‍👩‍👧",
    "www.example.com",
    "https://shop.example/sale?a=1&b=<2>",
    "http://xn--4dbrk0ce.example/דף",
    "(https://shop.example/a).",
    "dana@example.co.il",
    "mailto:x@y.z",
    "example.co.il",
    "₪1,234.50",
    "1,234",
    "50%",
    ".",
    ",",
    ")",
    "(",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "{first_name}",
    "{{ body }}",
]


def _value(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 6)))


def _link(rng: random.Random, kind: str) -> str:
    token = "".join(rng.choice("abcdefABCDEF0123456789-_:.") for _ in range(rng.randrange(8, 60)))
    return f"https://shop.example/plugins/global/saleor.loyalty/{kind}/{token}/"


def _shared(rng: random.Random, language: str) -> dict:
    return {
        "ad_label": rng.choice(["", "פרסומת", "Advertisement", "<ad> & co"]) if language == "he" else "",
        "sender_name": rng.choice(["Dana's Shop", "דנה & בנותיה", "<Shop>"]),
        "contact_address": rng.choice(["1 Herzl St, Tel Aviv", "רח' הרצל 1, תל אביב", "PO Box 5 <x>"]),
        "reply_to": rng.choice(["shop@example.co.il", "reply+1@shop.example"]),
    }


def _recipient(rng: random.Random, shared: dict) -> dict:
    """What `pipeline.message_context` gives a campaign message (or another category's), with random values."""
    name, points = _value(rng), rng.choice(["0", "12", "1,234", _value(rng)])
    body = rng.choice(
        [
            f"Hello {name}, you have {points} points ({_value(rng)}). {_link(rng, 't/c')}",
            f"{_value(rng)}\n\n{name}\n{_link(rng, 't/c')}.\n{_value(rng)}",
            _value(rng) + name + _value(rng),
        ]
    )
    context = {
        **shared,
        "campaign_subject": rng.choice(["Sale", f"{name}, a sale", _value(rng)]),
        "campaign_body": body,
        "open_pixel_url": rng.choice(["", _link(rng, "t/o")]),
        "unsubscribe_url": _link(rng, "unsubscribe"),
        # other categories' fields
        "points": points,
        "balance": rng.choice(["5", _value(rng)]),
        "order_number": rng.choice(["1001", _value(rng)]),
        "tier": rng.choice(["Gold", "זהב", _value(rng)]),
    }
    if rng.random() < 0.1:
        del context["open_pixel_url"]  # a context with other names gets a plan of its own
    return context


def _assert_same_as_django(rng: random.Random, category: str, language: str, count: int) -> None:
    renderer = BatchRenderer()
    shared = [_shared(rng, language) for _ in range(2)]  # two channels' settings through one renderer
    for _ in range(count):
        context = _recipient(rng, rng.choice(shared))
        fast = renderer.render_email(category, language, context)
        assert fast == rendering.render_email(category, language, context), context


@pytest.mark.parametrize("language", rendering.LANGUAGES)
@pytest.mark.parametrize("seed", range(4))
def test_a_campaign_batch_renders_as_django_does(language, seed):
    _assert_same_as_django(random.Random(f"campaign:{language}:{seed}"), "campaign", language, 300)


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_renders_as_django_does(category):
    for language in rendering.LANGUAGES:
        _assert_same_as_django(random.Random(f"{category}:{language}"), category, language, 60)


MERCHANT_LAYOUT = """<html><title>{{ subject|upper }}</title>
{% if open_pixel_url %}<img src="{{ open_pixel_url }}">{% else %}none{% endif %}
{{ body|linebreaks|urlize }} {{ body|urlize|linebreaksbr }} | {{ body|urlizetrunc:12 }} | {{ sender_name|default:body|urlize }}
{{ missing|default:"nothing" }} {{ sender_name|urlize }} {{ contact_address|cut:" " }}
{% for word in body.split %}[{{ word|urlize }}]{% endfor %}
{% with greeting=subject %}{{ greeting|title }}{% endwith %}
{{ unsubscribe_url|urlize|safe }} {{ reply_to }}</html>
"""
MERCHANT_TEXT = """{{ ad_label }}{{ campaign_subject|truncatechars:30 }}
{{ campaign_body|safe }} {{ sender_name|lower }} {% if ad_label %}[{{ ad_label }}]{% endif %}
{{ contact_address }} {{ reply_to|default:campaign_subject }} {{ unsubscribe_url }}
"""


@pytest.mark.parametrize("seed", range(3))
def test_a_merchant_template_renders_as_django_does(settings, tmp_path, seed):
    # given merchant templates that use recipients' values in tags, filter arguments and other filters
    for language in rendering.LANGUAGES:
        folder = Path(tmp_path, f"loyalty/messages/{language}")
        folder.mkdir(parents=True)
        Path(folder, "layout.html").write_text(MERCHANT_LAYOUT, encoding="utf-8")
        Path(folder, "campaign.txt").write_text(MERCHANT_TEXT, encoding="utf-8")
    settings.LOYALTY_TEMPLATE_DIRS = [str(tmp_path)]

    # then a batch renders every recipient as Django does
    for language in rendering.LANGUAGES:
        _assert_same_as_django(random.Random(f"merchant:{language}:{seed}"), "campaign", language, 150)


def test_a_shared_value_django_treats_apart_is_rendered_by_django():
    # given one batch where the sender's name is once a plain string and once a safe one (same text)
    renderer = BatchRenderer()
    context = _recipient(random.Random("safe"), _shared(random.Random("safe"), "en"))
    plain = {**context, "sender_name": "<b>Shop</b>"}
    safe = {**context, "sender_name": mark_safe("<b>Shop</b>")}

    # then each is rendered as Django renders it (escaped once, kept once)
    for each in (plain, safe, plain):
        assert renderer.render_email("campaign", "en", each) == rendering.render_email("campaign", "en", each)
    assert "&lt;b&gt;Shop" in renderer.render_email("campaign", "en", plain).html
    assert "<b>Shop</b>" in renderer.render_email("campaign", "en", safe).html


WORD_PIECES = [
    "1",
    "0",
    "9",
    ",",
    ".",
    "₪",
    "$",
    "%",
    "(",
    ")",
    "-",
    "_",
    "/",
    "<",
    "&",
    "'",
    '"',
    "½",
    "٣",
    "a",
    "c",
    "o",
    "m",
    "w",
    "ı",
    "K",
    "ſ",
    "א",
    "@",
    ":",
    "http",
    "www",
    "com",
    "org",
    "int",
    " ",
    "\n",
    "\u200f",
]


@pytest.mark.parametrize("seed", range(4))
def test_urlize_words_equal_djangos(seed):
    # given random words, most of them plain (digits, money, punctuation), some one letter or sign from a link
    rng = random.Random(f"words:{seed}")
    words = [
        "".join(rng.choice(WORD_PIECES[: rng.choice([18, 19, 38])]) for _ in range(rng.randrange(8)))
        for _ in range(3000)
    ]
    renderer = BatchRenderer()

    # then the batch's urlize, word cache and plain-word shortcut included, equals Django's filter on each
    for word in words:
        for value in (word, mark_safe(word)):
            for autoescape in (True, False):
                assert renderer.urlize(value, autoescape=autoescape) == urlize(value, autoescape=autoescape)
