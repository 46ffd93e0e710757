"""Template helpers shared by every app."""

import re

import nh3
from django import template
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe

from frontdoor.core.models import public

register = template.Library()

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "h3",
    "h4",
}


register.filter("public", public)


# An opening or closing tag: "a < b" or "<3" in plain text is not one.
TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?/?>")


def looks_like_html(value):
    return bool(TAG.search(value))


@register.filter
def richtext(value):
    """Show a description: sanitised HTML when it has tags, paragraphs when it is plain text."""
    if not value:
        return ""
    if looks_like_html(value):
        return mark_safe(nh3.clean(value, tags=ALLOWED_TAGS, link_rel="nofollow noopener"))
    return mark_safe(linebreaks(escape(value)))


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some values replaced (pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return f"?{params.urlencode()}"
