"""Descriptions may hold simple HTML (from curators or imported feeds): how to tell, how to
keep only what is safe, and how to turn it into plain text for outputs that show text as is."""

import html
import re
from collections import Counter

import nh3
from django.utils.html import escape, linebreaks

ALLOWED_TAGS = set("p br strong em b i ul ol li a blockquote h3 h4".split())
# An opening or closing tag: "a < b" or "<3" in plain text is not one.
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?/?>")
# The elements HTML defines: "<String>" in "List<String>" is text, not a tag.
HTML_ELEMENTS = frozenset(
    "a abbr address article aside audio b bdi bdo blockquote body br button canvas caption "
    "center cite code col colgroup dd del details dfn div dl dt em embed fieldset figcaption "
    "figure font footer form h1 h2 h3 h4 h5 h6 head header hr html i iframe img input ins kbd "
    "label legend li link main mark meta nav noscript object ol optgroup option p picture pre "
    "q s samp script section select small source span strike strong style sub summary sup svg "
    "table tbody td template textarea tfoot th thead time title tr tt u ul var video wbr".split()
)
# Tags that make their own paragraphs or lines: without any, blank lines mark paragraphs.
BLOCK_ELEMENTS = frozenset("blockquote br div h1 h2 h3 h4 h5 h6 li ol p pre table ul".split())
# A closed block or a line break reads as a new line; without one, words run together.
_BREAKS = re.compile(r"(?i)<br\s*/?>|</(?:p|li|div|h[1-6])\s*>")
# Where a tag starts, however it goes on, for `nesting_depth`.
TAG_START = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")
# Elements that hold no others, or that the next of their kind closes ("<p>one<p>two"), so
# they do not deepen the nesting.
FLAT_ELEMENTS = frozenset(
    "area base br col dd dt embed hr img input li link meta option p source td th tr wbr".split()
)
# C0 control characters but tab and line breaks, DEL, lone surrogates and the noncharacters
# U+FFFE and U+FFFF: invisible on a page, and all but DEL not allowed in XML 1.0 (one would
# break the Atom feed); NUL is refused by PostgreSQL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _names(value):
    return {m[1].lower() for m in TAG.finditer(value)}


def looks_like_html(value):
    return bool(_names(value) & HTML_ELEMENTS)


def _escape_lookalikes(value):
    """Escape what merely looks like a tag ("<String>"), so that sanitising keeps it as text."""
    return TAG.sub(lambda m: m[0] if m[1].lower() in HTML_ELEMENTS else escape(m[0]), value)


def nesting_depth(value):
    """How deep the tags nest, by a quick scan: sanitising takes time growing with the square
    of the depth (20,000 nested <div>s, a few seconds; 100,000, a minute). It reads tags as an
    HTML parser does, erring deep: "<div/>" and "<div title='<'>" open a div too, and so does
    a name no HTML element has. A closing tag closes the innermost open element of its name,
    and those inside it; one with none open is ignored ("<div></table>" nests like "<div>")."""
    open_names, counts, deepest = [], Counter(), 0
    for closing, name in TAG_START.findall(value):
        name = name.lower()
        if name in FLAT_ELEMENTS:
            continue
        if not closing:
            open_names.append(name)
            counts[name] += 1
            deepest = max(deepest, len(open_names))
        elif counts[name]:
            while (closed := open_names.pop()) != name:
                counts[closed] -= 1
            counts[name] -= 1
    return deepest


def sanitise_html(value):
    """Only the allowed tags, with what merely looks like a tag kept as text, and paragraphs
    kept when the text marks them with blank lines rather than tags."""
    value = _escape_lookalikes(value)
    if not _names(value) & BLOCK_ELEMENTS:
        value = linebreaks(value, autoescape=False)
    return nh3.clean(value, tags=ALLOWED_TAGS, link_rel="nofollow noopener")


def plain_text(value):
    """Tags dropped, entities decoded, each paragraph or list item on its own line."""
    if looks_like_html(value):
        value = nh3.clean(_escape_lookalikes(_BREAKS.sub("\n", value)), tags=set())
    return re.sub(r"\n{3,}", "\n\n", html.unescape(value)).strip()


def printable(text):
    """`text` without control characters (see CONTROL_CHARACTERS)."""
    return CONTROL_CHARACTERS.sub("", text)
