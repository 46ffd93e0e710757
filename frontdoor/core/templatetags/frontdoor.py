"""Template helpers shared by every app."""

import html

from django import template
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe

from frontdoor.core.models import public
from frontdoor.core.text import looks_like_html, sanitise_html

register = template.Library()

register.filter("public", public)


@register.filter
def richtext(value):
    """Show a description: sanitised HTML when it has tags, paragraphs when it is plain text
    (where an entity such as "&amp;" from a careless source is read, not shown)."""
    if not value:
        return ""
    if looks_like_html(value):
        return mark_safe(sanitise_html(value))
    return mark_safe(linebreaks(escape(html.unescape(value))))


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some values replaced (pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return f"?{params.urlencode()}"
