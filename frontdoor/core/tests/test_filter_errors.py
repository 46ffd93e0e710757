"""A link whose filters don't exist: the page says so straight under its heading, before the
form, in the filters' own words, and each bad field says why beside it (for screen readers too)."""

from urllib.parse import urlsplit

import pytest

from frontdoor.core.tests.htmltree import parse

pytestmark = pytest.mark.django_db

NOT_A_CHOICE = "“{}” is not one of the choices below."

# Every page that includes the filter form and its error box, with a bad value for one field.
BAD_LINKS = [
    ("/organisations/?kind=bogus", "Kind", NOT_A_CHOICE.format("bogus")),
    ("/places/?sector=nope", "Sector", NOT_A_CHOICE.format("nope")),
    ("/programmes/?stage=nope", "Stage", NOT_A_CHOICE.format("nope")),
    ("/people/?role=nope", "Role", NOT_A_CHOICE.format("nope")),
    ("/trials/?status=nope", "Status", NOT_A_CHOICE.format("nope")),
    ("/events/?when=xyz", "When", NOT_A_CHOICE.format("xyz")),
    ("/events/?free=maybe", "Free only", "“maybe” is not a yes or no"),
    ("/events/calendar/?kind=nope", "Kind", NOT_A_CHOICE.format("nope")),
    ("/events/calendar/2026/week/10/?area=E99999999", "Area", NOT_A_CHOICE.format("E99999999")),
    ("/events/calendar/2026/3/2/?kind=nope", "Kind", NOT_A_CHOICE.format("nope")),
]


def page_for(client, url):
    response = client.get(url)
    assert response.status_code == 400
    return response.content.decode(), parse(response.content.decode())


@pytest.mark.parametrize(("url", "label", "reason"), BAD_LINKS)
def test_the_error_box_comes_straight_under_the_heading_before_the_form(client, url, label, reason):
    html, page = page_for(client, url)
    heading = page.find("h1")
    after_heading = [e for e in heading.parent.children if not isinstance(e, str)]
    box = after_heading[after_heading.index(heading) + 1]
    assert box.attrs["id"] == "filter-errors"
    everything = list(page.iter())
    assert everything.index(box) < everything.index(page.find("form", class_="filters"))
    # A heading of its own, so it can be found by headings as well as read first.
    assert box.find("h2").text() == "Some filters in this link don’t exist"
    assert box.attrs["aria-labelledby"] == box.find("h2").attrs["id"]
    # The field's label, not its query name, and not Django's wording.
    assert [li.text() for li in box.find_all("li")][0].startswith(f"{label}: {reason}")
    assert "Select a valid choice" not in html
    show_all = box.find("a")
    assert show_all.text() == "Show everything instead"
    assert show_all.attrs["href"] == urlsplit(url).path
    assert page.find("title").text().startswith("Error: ")


def field_for(page, label):
    """The element a screen reader is on when it reaches the field: the group, or the input."""
    for legend in page.find_all("legend"):
        if legend.text() == label:
            return legend.parent
    for element in page.find_all("label"):
        if element.text() == label:
            return page.by_id(element.attrs["for"])
    raise AssertionError(f"no field labelled {label}")


@pytest.mark.parametrize(("url", "label", "reason"), BAD_LINKS)
def test_the_bad_field_is_described_by_why_it_is_wrong(client, url, label, reason):
    html, page = page_for(client, url)
    field = field_for(page, label)
    error = page.by_id(field.attrs["aria-describedby"])
    assert reason in error.text()
    # Beside the field, not only in the box above the form.
    group = (
        field
        if field.tag == "fieldset"
        else next(a for a in field.ancestors() if "field" in a.attrs.get("class", "").split())
    )
    assert error in list(group.iter())
    if field.tag == "fieldset":
        # The bad value is none of the boxes: they are not each marked invalid, unexplained.
        assert all("aria-invalid" not in box.attrs for box in field.find_all("input"))
    else:
        assert field.attrs["aria-invalid"] == "true"


@pytest.mark.parametrize(("url", "label", "reason"), BAD_LINKS)
def test_nothing_is_marked_invalid_without_saying_why(client, url, label, reason):
    html, page = page_for(client, url)
    for element in page.find_all(aria_invalid="true"):
        ids = element.attrs.get("aria-describedby", "").split()
        assert ids and all(page.by_id(i) is not None and page.by_id(i).text() for i in ids)
