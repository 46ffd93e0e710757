"""Insights pages: the areas, each area's figures with charts and tables, CSV downloads,
the method, and the curator's action to list the registry's missing companies."""

import csv
import datetime

from django.contrib import messages
from django.contrib.auth.mixins import UserPassesTestMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from frontdoor.insights import charts
from frontdoor.insights.actions import coverage, organisations_add_missing
from frontdoor.insights.figures import figures_for, figures_refresh
from frontdoor.insights.geography import ATTRIBUTION, source_description
from frontdoor.insights.models import Area, Recode, SectorDefinition, Snapshot
from frontdoor.opendata.downloads import csv_cell

LICENCE = (
    "Companies House data and ONS postcode data are published under the Open Government "
    "Licence v3.0. " + ATTRIBUTION + "."
)


def pct(value):
    return "" if value is None else f"{value:.1%}"


def num(value):
    return "" if value is None else f"{value:,}"


def lq(value):
    return "" if value is None else f"{value:.2f}"


def comment(text):
    """A CSV comment line, written as it is: the csv module would quote a line holding a
    comma, and readers that skip lines starting with # (comment_prefix="#") would not."""
    return "# " + " ".join(text.split()) + "\r\n"


def tables(fig):
    """Every table on an area page: its title, column headings and formatted rows, by name."""
    out = {
        "incorporations": (
            "Incorporations per year",
            ["Year", "Companies incorporated"],
            [(r["year"], r["count"]) for r in fig["incorporations"]],
        ),
        "dissolutions": (
            "Dissolution dates on the register",
            ["Year", "Companies dissolved"],
            [(r["year"], r["count"]) for r in fig["dissolutions"]],
        ),
        "subsectors": (
            "Sub-sector mix (active companies)",
            ["Sub-sector", "Companies", "Share"],
            [(r["subsector"], r["count"], r["share"]) for r in fig["subsectors"]],
        ),
        "sizes": (
            "Size mix, from the accounts category (active companies)",
            ["Accounts category", "Companies", "Share"],
            [(r["band"], r["count"], r["share"]) for r in fig["sizes"]],
        ),
        "peers": (
            "Comparison with peer areas and the UK",
            ["Area", "Active companies", "In the sector", "Share", "Location quotient"],
            [
                (r["name"], r["active_all"], r["active_sector"], r["share"], r["lq"])
                for r in fig["peers"]
            ],
        ),
        # Only the spans the snapshots allow: the others are said in words on the page (a
        # row of blanks with its reason in the last column reads as empty on a phone).
        "survival": (
            "Cohort survival",
            ["Years", "Cohort incorporated", "Measured at", "Cohort", "Survivors", "Rate"],
            [
                (
                    r["years"],
                    f"{r['cohort_from']} to {r['cohort_to']}",
                    r["measured_at"],
                    r["cohort"],
                    r["survivors"],
                    r["rate"],
                )
                for r in fig["survival"]
                if r["available"]
            ],
        ),
        "disappearances": (
            "Disappearances from the register between snapshots",
            ["From", "To", "Companies gone"],
            [(r["from"], r["to"], r["count"]) for r in fig["disappearances"]],
        ),
        "net-formation": (
            "Net formation",
            ["Year", "Incorporations", "Disappearances", "Net"],
            [
                (r["year"], r["incorporations"], r["disappearances"], r["net"])
                for r in fig["net_formation"]
            ],
        ),
    }
    return out


def formatted(table):
    """A table for the page: shares as percentages, quotients to two places, thousands."""
    title, headings, rows = table
    out = []
    for row in rows:
        cells = []
        for heading, value in zip(headings, row, strict=True):
            if isinstance(value, str) or value is None or heading == "Year" or heading == "Years":
                cells.append("" if value is None else value)
            elif heading in ("Share", "Rate"):
                cells.append(pct(value))
            elif heading == "Location quotient":
                cells.append(lq(value))
            else:
                cells.append(num(value))
        out.append(cells)
    return title, headings, out


def _choices(request):
    """The definition and month asked for; unknown values fall back, with a note."""
    notes = []
    definitions = list(SectorDefinition.objects.all())
    if not definitions:
        raise Http404("No sector definitions.")
    wanted = request.GET.get("definition", "")
    definition = next((d for d in definitions if d.slug == wanted), definitions[0])
    if wanted and definition.slug != wanted:
        notes.append(f"There is no sector definition “{wanted[:60]}”; showing {definition.name}.")
    months = list(Snapshot.objects.newest_first().values_list("month", flat=True))
    month = _month(request.GET.get("month", ""), months, notes)
    return definitions, definition, months, month, notes


def _month(raw, months, notes):
    """The month asked for ("2025-11"), or None for the newest; a note says what is shown
    instead of a month without a snapshot."""
    if not raw:
        return None
    try:
        month = datetime.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        notes.append(f"“{raw[:20]}” is not a month such as 2025-11; showing the newest.")
        return None
    if months and month < months[-1]:
        notes.append(f"The first snapshot is of {months[-1]:%Y-%m}; showing it.")
        return months[-1]
    if month not in months:
        notes.append(f"There is no snapshot for {raw}; showing the newest before it.")
    return month


def _shown(month, months):
    """The snapshot month whose figures are shown for the month asked for (None: newest)."""
    return next((m for m in months if month is None or m <= month), None)


def _newest(fig, months):
    """Whether these figures are of the newest snapshot (`months` newest first)."""
    return fig["month"][:7] == f"{months[0]:%Y-%m}"


class InsightsHome(TemplateView):
    """The areas, with each one's headline figures for the chosen definition."""

    template_name = "insights/index.html"

    def get_context_data(self, **kwargs):
        definitions, definition, months, month, notes = _choices(self.request)
        areas = list(Area.objects.prefetch_related("peers"))
        figs = [
            figures_for(a, definition, month, cached_only=True) if months else None for a in areas
        ]
        if months and None in figs and not month:
            # An area or definition was edited since the last import: one pass for them all.
            figures_refresh()
        rows = []
        for area, fig in zip(areas, figs, strict=True):
            fig = fig or (figures_for(area, definition, month) if months else None)
            rows.append((area, fig["headline"] if fig else None))
        return super().get_context_data(
            definitions=definitions,
            definition=definition,
            months=months,
            shown_month=_shown(month, months),
            notes=notes,
            rows=rows,
            snapshot=Snapshot.objects.newest_first().first(),
            licence=LICENCE,
            **kwargs,
        )


class AreaInsights(TemplateView):
    """One area's figures: headline, charts with their tables, peers, survival, coverage."""

    template_name = "insights/area.html"

    def get_context_data(self, **kwargs):
        area = get_object_or_404(Area, slug=kwargs["slug"])
        definitions, definition, months, month, notes = _choices(self.request)
        fig = figures_for(area, definition, month) if months else None
        context = {
            "area": area,
            "definitions": definitions,
            "definition": definition,
            "months": months,
            "shown_month": _shown(month, months),
            "notes": notes,
            "fig": fig,
            "licence": LICENCE,
            "choice_query": "",
        }
        if fig:
            query = f"?definition={definition.slug}&month={fig['month'][:7]}"
            context.update(
                choice_query=query,
                tables={k: formatted(v) for k, v in tables(fig).items()},
                charts=self.charts(fig, area),
                coverage=coverage(fig),
                # Listings are added from the newest register only: an older month counts
                # companies that may have been dissolved since.
                newest_month=months[0],
                may_add=_newest(fig, months),
                survival_missing=[r for r in fig["survival"] if not r["available"]],
                any_dissolved=any(r["count"] for r in fig["dissolutions"]),
            )
        return super().get_context_data(**context, **kwargs)

    def charts(self, fig, area):
        sector = fig["definition"]["name"]
        made = {}
        if any(r["count"] for r in fig["incorporations"]):
            made["incorporations"] = charts.svg(
                charts.columns_spec(
                    fig["incorporations"],
                    "year",
                    "count",
                    x_title="Year of incorporation",
                    y_title="Companies",
                ),
                f"Bar chart: {sector} companies in {area.name} incorporated each year. "
                "The figures are in the table that follows.",
            )
        if fig["subsectors"]:
            made["subsectors"] = charts.svg(
                charts.bars_spec(
                    fig["subsectors"], "subsector", "count", value_title="Active companies"
                ),
                f"Bar chart: active {sector} companies in {area.name} by sub-sector. "
                "The figures are in the table that follows.",
            )
        if fig["sizes"]:
            made["sizes"] = charts.svg(
                charts.bars_spec(fig["sizes"], "band", "count", value_title="Active companies"),
                f"Bar chart: active {sector} companies in {area.name} by accounts category. "
                "The figures are in the table that follows.",
            )
        peers = [r for r in fig["peers"] if r["lq"] is not None]
        if peers:
            made["peers"] = charts.svg(
                charts.bars_spec(
                    peers,
                    "name",
                    "lq",
                    value_title="Location quotient (UK = 1)",
                    decimals=True,
                    highlight=area.name,
                ),
                f"Bar chart: location quotient of {sector} companies, {area.name} against its "
                "peers and the UK. The figures are in the table that follows.",
            )
        return made


class TableCSV(View):
    """One of an area's tables as CSV, with its licence and source in the first lines."""

    def get(self, request, slug, table):
        area = get_object_or_404(Area, slug=slug)
        _, definition, months, month, _ = _choices(request)
        fig = figures_for(area, definition, month) if months else None
        if not fig or table not in tables(fig):
            raise Http404("No such table.")
        title, headings, rows = tables(fig)[table]
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{area.slug}-{table}-{definition.slug}-{fig["month"][:7]}.csv"'
        )
        # Excel takes a file for UTF-8 (the licence's ©, accented area names) only with a BOM.
        response.write("\ufeff")
        response.write(comment(f"{title}: {area.name}; {definition}; snapshot {fig['month'][:7]}"))
        response.write(
            comment(f"{LICENCE} Method: {request.build_absolute_uri('/insights/method/')}")
        )
        if table == "survival":  # the spans the table leaves out, and why, as on the page
            for r in fig["survival"]:
                if not r["available"]:
                    years = f"{r['years']} year{'s' if r['years'] > 1 else ''}"
                    response.write(comment(f"After {years}: {r['reason']}"))
        writer = csv.writer(response)
        writer.writerow(headings)
        writer.writerows([csv_cell(value) for value in row] for row in rows)
        return response


class MethodView(TemplateView):
    """How every figure is computed, from which sources, and what to be careful about."""

    template_name = "insights/method.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            definitions=SectorDefinition.objects.prefetch_related("codes"),
            areas=Area.objects.prefetch_related("peers"),
            recodes=Recode.objects.all(),
            snapshots=Snapshot.objects.newest_first(),
            postcode_source=source_description(),
            licence=LICENCE,
            **kwargs,
        )


class AddMissing(UserPassesTestMixin, View):
    """Curators only: add the area's unlisted registry companies as draft listings."""

    raise_exception = True  # 403, not a login page: the button is only shown to curators

    def test_func(self):
        # Staff who may add organisations in the admin: an events editor is staff too.
        user = self.request.user
        return user.is_active and user.is_staff and user.has_perm("directory.add_organisation")

    def post(self, request, slug):
        area = get_object_or_404(Area, slug=slug)
        definition = get_object_or_404(SectorDefinition, slug=request.POST.get("definition", ""))
        months = list(Snapshot.objects.newest_first().values_list("month", flat=True))
        # The month the curator was shown, so what is added is what the button counted.
        month = _month(request.POST.get("month", ""), months, [])
        fig = figures_for(area, definition, month)
        if not fig:
            raise Http404("No snapshot imported yet.")
        query = f"?definition={definition.slug}&month={fig['month'][:7]}"
        if not _newest(fig, months):
            messages.error(
                request,
                f"Nothing was added: companies are added from the newest snapshot "
                f"({months[0]:%B %Y}), as some counted in {fig['month'][:7]} have since left "
                "the register.",
            )
            return redirect(f"{area.get_absolute_url()}{query}#coverage")
        added = organisations_add_missing(
            figures=fig, definition=definition, acting_user=request.user
        )
        if added:
            messages.success(
                request,
                ngettext(
                    "Added %(n)s company as a draft listing (source companies-house).",
                    "Added %(n)s companies as draft listings (source companies-house).",
                    added,
                )
                % {"n": f"{added:,}"}
                + " Check and publish them in the admin.",
            )
        else:
            messages.info(request, "Nothing to add: the directory already has every one.")
        return redirect(f"{area.get_absolute_url()}{query}#coverage")
