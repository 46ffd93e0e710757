"""The search page: one view, a full page or (for htmx) just the results."""

from html import escape

from django.conf import settings
from django.template.defaultfilters import date, floatformat, truncatechars
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.views.decorators.vary import vary_on_headers
from django.views.generic import TemplateView

from frontdoor.core import geo
from frontdoor.search import query
from frontdoor.search.actions import gap_record
from frontdoor.search.forms import WITHIN, SearchForm
from frontdoor.search.map import results_map


# The page, or the results only.
@method_decorator(vary_on_headers("HX-Request", "HX-History-Restore-Request"), name="dispatch")
class SearchView(TemplateView):
    """Search everything, with facets, distance from a postcode, and a map of the page."""

    template_name = "search/search.html"
    partial_template_name = "search/partials/results.html"

    @property
    def updating(self):
        """An htmx request: only the results change. (Going back, htmx asks for the whole
        page again, as it keeps no copies: historyCacheSize is 0.)"""
        headers = self.request.headers
        return bool(headers.get("HX-Request")) and not headers.get("HX-History-Restore-Request")

    def get_template_names(self):
        return [self.partial_template_name if self.updating else self.template_name]

    def get_context_data(self, **kwargs):
        labels = query.facet_labels()
        form = SearchForm(self.request.GET, labels=labels)
        params = form.params()
        results = query.search(params)
        if results.total and params.page > results.pages:
            params.page = results.pages
            results = query.search(params)
        # A search made: submitted, or a filter changed, with or without JavaScript; not the
        # words typed so far, nor a page shown again on going back.
        made = not self.request.headers.get("HX-Request") or (
            self.request.headers.get("HX-Trigger") == "search-form"
        )
        if params.q and params.page == 1 and made:
            gap_record(params.q, results=results.total)
        first = (results.page - 1) * results.per_page + 1
        return super().get_context_data(
            form=form,
            params=params,
            query=params.q,
            results=results,
            facets=self.facets(results, params, labels),
            chips=self.chips(params, labels),
            sorts=query.SORTS,
            within_choices=WITHIN,
            first_number=first,
            hit_items=self.hit_items(results),
            map=results_map(
                results.hits, results.near, start=first, tile_url=settings.SEARCH_TILE_URL
            ),
            tile_attribution=settings.SEARCH_TILE_ATTRIBUTION,
            page_links=self.page_links(results),
            attribution=geo.ATTRIBUTION if params.near else "",
            updating=self.updating,
            **kwargs,
        )

    def url_with(self, **changes):
        """This search's URL with some parameters changed (None removes one); page resets."""
        data = self.request.GET.copy()
        data.pop("page", None)
        for name, value in changes.items():
            if value is None:
                data.pop(name, None)
            elif isinstance(value, list):
                data.setlist(name, value)
            else:
                data[name] = value
        encoded = data.urlencode()
        return f"?{encoded}" if encoded else "?"

    def facets(self, results, params, labels):
        """Each group's values with their counts, as checkboxes of the search form."""
        groups = []
        for group, title in query.FACET_GROUPS.items():
            chosen = getattr(params, group)
            counts = results.facets.get(group, {})
            values = []
            shown = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
            # A chosen value is always a box to untick (the next Apply would drop it unseen).
            listed = {value for value, _ in shown}
            shown += [(value, counts.get(value, 0)) for value in chosen if value not in listed]
            name = escape(group)
            for number, (value, count) in enumerate(shown, start=1):
                # Built here rather than in the template: a hundred checkboxes rendered
                # variable by variable cost more than the search itself. Escaped as the
                # template would (Django's escape() is html.escape()), without its overhead.
                checked = " checked" if value in chosen else ""
                label = escape(str(labels[group].get(value, value)))
                values.append(
                    mark_safe(
                        f'<div class="check"><input type="checkbox" form="search-form"'
                        f' name="{name}" value="{escape(value)}" id="f-{name}-{number}"'
                        f'{checked}> <label for="f-{name}-{number}">{label}'
                        f' <span class="count">({count:,})</span></label></div>'
                    )
                )
            if values:
                groups.append({"name": group, "title": title, "values": values})
        return groups

    def hit_items(self, results):
        """Each hit as a list item: built here, like the facets, because twenty hits rendered
        variable by variable took longer than finding them."""
        items = []
        for number, hit in enumerate(results.hits, start=1):
            about = [hit.kind_label]
            if hit.subkind_label:
                about.append(hit.subkind_label)
            if hit.day:  # all day: its own date, not its start's in this zone
                about.append(date(hit.day, "j M Y"))
            elif hit.starts:
                about.append(date(template_localtime(hit.starts), "j M Y"))
            if hit.postcode:
                about.append(hit.postcode)
            about = [escape(str(part)) for part in about]
            if hit.status_label:  # as an event's card says it, after its kind
                about.insert(
                    2 if hit.subkind_label else 1, f"<strong>{escape(hit.status_label)}</strong>"
                )
            about = " · ".join(about)
            if hit.distance_km is not None:
                about += f" · <strong>{floatformat(hit.distance_km, 1)} km away</strong>"
            text = ""
            if hit.snippet:
                # tantivy's snippet HTML: the record's text escaped, matched words in <b>.
                text = f"<p>{hit.snippet}</p>"
            elif hit.summary:
                text = f"<p>{escape(truncatechars(hit.summary, 200))}</p>"
            items.append(
                mark_safe(
                    f'<li class="card" id="hit-{number}">\n'
                    f'          <h3><a href="{escape(hit.url)}">{escape(hit.name)}</a></h3>\n'
                    f'          <p class="muted">{about}</p>\n          {text}\n        </li>'
                )
            )
        return items

    def chips(self, params, labels):
        """The filters in force, each with a link that removes it."""
        chips = []
        for group, title in query.FACET_GROUPS.items():
            chosen = getattr(params, group)
            for value in chosen:
                chips.append(
                    (
                        f"{title}: {labels[group].get(value, value)}",
                        self.url_with(**{group: [v for v in chosen if v != value]}),
                    )
                )
        if params.open:
            chips.append(("Open for applications", self.url_with(open=None)))
        if params.upcoming:
            chips.append(("Upcoming events", self.url_with(upcoming=None)))
        if params.near:
            chips.append((f"Near {params.near.upper()}", self.url_with(near=None, within=None)))
        if params.within and params.near:
            chips.append((f"Within {params.within} km", self.url_with(within=None)))
        return chips

    def page_links(self, results):
        links = {}
        if results.page > 1:
            links["previous"] = self.url_with(page=str(results.page - 1))
        if results.page < results.pages:
            links["next"] = self.url_with(page=str(results.page + 1))
        return links
