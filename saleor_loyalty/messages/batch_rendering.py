"""Rendering one template for a whole batch of recipients: what is the same for all of them is rendered once.

Invariant: for every context, `BatchRenderer.render_email` returns exactly what `rendering.render_email`
returns for it (subject, text and HTML, byte for byte). It does the same Django rendering, minus repeats:
- each template becomes a plan once per (category, language, the batch's shared values, the context's
  names): a text node is a string, and a `{{ variable }}` naming only shared values (sender, address,
  label…) or nothing in the context is rendered once; every other node (a recipient's own values, tags
  such as `{% if %}`) is still rendered by Django's node for each recipient, in order, in the same
  bound context as `Template.render`;
- `urlize` (the layout's `body|linebreaks|urlize`, the most expensive step of an email) goes word by word
  through Django's own `Urlizer.handle_word`, a pure function of the word, with the results kept for the
  batch: the content's words are urlized once, a recipient's own words (name, points, signed links) each
  time. That is what `Urlizer.__call__` does within one call, widened to the batch. A word with no letter,
  no "@" and no ":" (points, an amount of money: "₪1,234.50") cannot be a link or an address, since
  every pattern `handle_word` tries needs one of those, so it is only escaped, as `handle_word` would.
A property test renders random recipients both ways and compares them.
"""

import copy
import re

from django.template import Context, Template
from django.template.base import TextNode, VariableNode
from django.template.defaultfilters import urlize as django_urlize
from django.utils.html import Urlizer, escape
from django.utils.safestring import SafeData, mark_safe

from saleor_loyalty.messages import rendering

# Context values that `pipeline.message_context` takes from the channel's settings: one batch shares them.
SHARED = ("ad_label", "sender_name", "contact_address", "reply_to")
_URLIZER = Urlizer()
# A letter (a word character that is no digit nor "_"; Unicode letters included), "@" or ":": the words that
# may be links (`simple_url_re` needs "://", `simple_url_2_re` "www." or a letter TLD, an address "@").
_MAYBE_LINK = re.compile(r"[^\W\d_]|[@:]")


class _CachedUrlize:
    """Django's `urlize` filter with a word cache shared by every call (same flags as the filter)."""

    is_safe = needs_autoescape = True

    def __init__(self):
        self.words: dict[tuple[str, bool, bool], str] = {}

    def __call__(self, value, autoescape=True):
        value = str(value)
        safe_input = isinstance(value, SafeData)
        words, done = self.words, []
        for word in _URLIZER.word_split_re.split(value):
            key = (word, safe_input, autoescape)
            found = words.get(key)
            if found is None:
                found = words[key] = _urlize_word(word, safe_input, autoescape)
            done.append(found)
        return mark_safe("".join(done))


def _urlize_word(word: str, safe_input: bool, autoescape: bool) -> str:
    """`Urlizer.handle_word` (as the `urlize` filter calls it), with plain words only escaped."""
    if _MAYBE_LINK.search(word) is None:
        return word if safe_input or not autoescape else escape(word)
    return _URLIZER.handle_word(
        word, safe_input=safe_input, trim_url_limit=None, nofollow=True, autoescape=autoescape
    )


def _names(expression) -> list[str]:
    """The context names a `{{ … }}` reads: its variable's and its filter arguments' first lookups."""
    variables = [expression.var] + [arg for _, args in expression.filters for lookup, arg in args if lookup]
    return [var.lookups[0] for var in variables if getattr(var, "lookups", None)]


class _Plan:
    """A template split into strings rendered once and nodes rendered per recipient."""

    def __init__(self, template: Template, context: Context, constant, urlize: _CachedUrlize):
        """`constant(name)`: whether a context name has the same value for every recipient of the plan."""
        self.template = template
        self.pieces: list = []  # str, or a node to render per recipient
        with context.render_context.push_state(template), context.bind_template(template):
            context.template_name = template.name
            for node in template.nodelist:
                if isinstance(node, TextNode):
                    self.pieces.append(node.s)
                elif isinstance(node, VariableNode) and all(map(constant, _names(node.filter_expression))):
                    self.pieces.append(node.render_annotated(context))
                else:
                    self.pieces.append(_with_cached_urlize(node, urlize))

    def render(self, context: Context) -> str:
        template = self.template
        with context.render_context.push_state(template), context.bind_template(template):
            context.template_name = template.name
            return "".join(
                piece if isinstance(piece, str) else piece.render_annotated(context) for piece in self.pieces
            )


def _with_cached_urlize(node, urlize: _CachedUrlize):
    """`node`, or a copy of a `{{ … }}` node whose `urlize` filter keeps its words for the batch."""
    if not isinstance(node, VariableNode):
        return node
    filters = node.filter_expression.filters
    if not any(func is django_urlize for func, _ in filters):
        return node
    expression = copy.copy(node.filter_expression)
    expression.filters = [(urlize if func is django_urlize else func, args) for func, args in filters]
    node = copy.copy(node)
    node.filter_expression = expression
    return node


class BatchRenderer:
    """`rendering.render_email` for many recipients of one batch (one channel's settings)."""

    def __init__(self):
        self.plans: dict = {}
        self.urlize = _CachedUrlize()

    def _plan(self, path: str, context: dict, autoescape: bool) -> _Plan:
        """The plan for recipients with these names and these shared values (a name the context lacks
        resolves the same way for all of them)."""
        key = (path, autoescape, frozenset(context), tuple(context.get(name) for name in SHARED))
        plan = self.plans.get(key)
        if plan is None:
            template = rendering.engine().get_template(path)
            plan = self.plans[key] = _Plan(
                template,
                Context(context, autoescape=autoescape),
                lambda name: name in SHARED or name not in context,
                self.urlize,
            )
        return plan

    def render_email(self, category: str, language: str, context: dict) -> rendering.Rendered:
        if not all(type(context.get(name, "")) is str for name in SHARED):
            return rendering.render_email(category, language, context)  # e.g. safe strings: not keyed apart
        text_path = f"loyalty/messages/{language}/{category}.txt"
        text = self._plan(text_path, context, False).render(Context(context, autoescape=False))
        subject, _, body = text.strip().partition("\n")
        body = body.strip()
        layout = {**context, "subject": subject.strip(), "body": body}
        html = self._plan(f"loyalty/messages/{language}/layout.html", layout, True).render(Context(layout))
        return rendering.Rendered(subject=" ".join(subject.split()), text=body, html=html)
