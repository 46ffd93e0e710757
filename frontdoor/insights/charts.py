"""Charts: one Vega-Lite spec per chart (built with Altair), rendered to SVG on the server.

The same spec serves the page and any report. Every chart is shown beside its data table,
which is its text alternative; the SVG itself carries a short label saying so.
"""

import json
import re
from functools import lru_cache

import altair as alt
import vl_convert
from django.utils.html import escape

ARIA = re.compile(r' (?:role|aria-[a-z]+)="[^"]*"')
WIDTH = 560
HEIGHT = 260
COLOUR = "#0b5394"
UK_COLOUR = "#4a4a4a"


def columns_spec(rows, x, y, *, x_title, y_title, percent=False):
    """Vertical bars, e.g. incorporations per year."""
    axis = alt.Axis(format="%") if percent else alt.Axis(format=",d", tickMinStep=1)
    chart = alt.Chart(alt.Data(values=rows)).mark_bar(color=COLOUR)
    chart = chart.encode(
        x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:Q", title=y_title, axis=axis),
    ).properties(width=WIDTH, height=HEIGHT)
    return _configured(chart)


def bars_spec(rows, label, value, *, value_title, decimals=False, highlight=None):
    """Horizontal bars, e.g. sub-sector mix (counts) or location quotients (decimals)."""
    axis = alt.Axis(format=".1f") if decimals else alt.Axis(format=",d", tickMinStep=1)
    if highlight:
        # Said in the bar's label too, not by colour alone: colour-blind readers and a
        # greyscale print would hardly tell the two colours apart. In front, so that a long
        # name cut at the label limit keeps it.
        marked = f"This area: {highlight}"
        rows = [{**r, label: marked} if r[label] == highlight else r for r in rows]
        highlight = marked
    colour = (
        alt.condition(alt.datum[label] == highlight, alt.value(COLOUR), alt.value(UK_COLOUR))
        if highlight
        else alt.value(COLOUR)
    )
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y(f"{label}:N", title=None, sort=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X(f"{value}:Q", title=value_title, axis=axis),
            color=colour,
        )
        .properties(width=WIDTH - 260, height=max(60, 26 * len(rows)))
    )
    return _configured(chart)


def _configured(chart):
    spec = chart.to_dict()
    spec["config"] = {
        "aria": False,
        "font": "sans-serif",
        "axis": {
            "labelFontSize": 12,
            "titleFontSize": 13,
            "labelColor": "#1b1b1b",
            "titleColor": "#1b1b1b",
        },
        "view": {"stroke": None},
    }
    return spec


def svg(spec, label):
    """The chart as inline SVG, labelled for assistive technology."""
    # Vega marks its groups with ARIA roles that would make screen readers read every tick;
    # the table beside the chart is the text, so the SVG is one labelled image.
    body = ARIA.sub("", _render(json.dumps(spec, sort_keys=True)))
    return body.replace(
        "<svg ",
        f'<svg role="img" aria-label="{escape(label)}" focusable="false" ',
        1,
    )


@lru_cache(maxsize=256)
def _render(spec_json):
    return vl_convert.vegalite_to_svg(json.loads(spec_json))
