"""Descriptions' HTML: sanitised for pages, read as plain text for feeds and open data."""

import pytest

from frontdoor.core.text import nesting_depth, plain_text, sanitise_html


@pytest.mark.parametrize(
    ("description", "text"),
    [
        ("Fish &amp; Chips", "Fish & Chips"),
        ("<p>R&amp;D lab.</p><p>Open to all.</p>", "R&D lab.\nOpen to all."),
        ("<ul><li>Register</li><li>Apply</li></ul>", "Register\nApply"),
        ("We write List<String> code.", "We write List<String> code."),
        ("<p>Typed <em>List<T></em>.</p>", "Typed List<T>."),
    ],
)
def test_plain_text_reads_as_written(description, text):
    assert plain_text(description) == text


def test_sanitised_html_keeps_only_safe_tags_and_plain_paragraphs():
    raw = 'One.\n\nTwo <b>bold</b> <a href="javascript:x()">link</a><script>x</script>'
    cleaned = sanitise_html(raw)
    assert cleaned.startswith("<p>One.</p>") and "<b>bold</b>" in cleaned
    assert "javascript" not in cleaned and "<script" not in cleaned


@pytest.mark.parametrize(
    ("description", "depth"),
    [
        ("<p>One</p><p>two <b>bold</b></p>", 1),
        ("<ul><li><ul><li>deep</li></ul></li></ul>", 2),
        ("<div>" * 50 + "</div>" * 50, 50),
        # A stray closing tag closes nothing, as in a browser: the divs still nest.
        ("<div></table>" * 500, 500),
        ("<div><span></div>" * 300, 2),  # closing the div closes the span inside it
        ("Use <br/> and <img src=x>", 0),
        # A parser opens these too: a slash does not close a div, nor "<" end an attribute.
        ("<div/>" * 200, 200),
        ("<div/ >" * 200, 200),
        ("<div title='<'>" * 200, 200),
        ("<made-up>" * 200, 200),
    ],
)
def test_nesting_depth_counts_what_a_parser_would_nest(description, depth):
    assert nesting_depth(description) == depth
