"""Plain text from the simple HTML a description may hold, for outputs that show text as is."""

import html
import re

import nh3

# A closed block or a line break reads as a new line; without one, words run together.
_BREAKS = re.compile(r"(?i)<br\s*/?>|</(?:p|li|div|h[1-6])\s*>")


def plain_text(value):
    """Tags dropped, entities decoded, each paragraph or list item on its own line."""
    if "<" in value:
        value = _BREAKS.sub("\n", value)
        value = html.unescape(nh3.clean(value, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", value).strip()
