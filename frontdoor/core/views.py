"""The home page, the pathways, and the list view every kind shares."""

from django import forms
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.generic import ListView, TemplateView

from frontdoor.core.pathways import PATHWAYS
from frontdoor.directory.models import Organisation, Place, Programme, Trial
from frontdoor.events.models import Event


class FilteredListView(ListView):
    """A list page driven by a FilterSet, with a choice of page size.

    Bad filter values get the page back with a plain message (400), never a server error;
    a page past the end is a 404 that says how many pages there are.
    """

    filterset_class = None
    paginate_by = 20
    page_sizes = (10, 20, 50, 100)
    template_name = "core/listing_list.html"
    page_missing = None  # the number asked for, when it is past the last page

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET, queryset=super().get_queryset(), request=self.request
        )
        if not self.filterset.is_valid():
            return self.filterset.queryset.none()
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        # Bad filters match nothing; page 2 of nothing would be a 404, not the 400 page.
        if not self.filterset.is_valid():
            page = paginator.page(1)
            return paginator, page, page.object_list, False
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404:
            asked = self.request.GET.get(self.page_kwarg, "")
            if not (asked.isdecimal() and int(asked) > paginator.num_pages):
                raise
            # A page past the end (an old link, a list grown shorter): a 404 of its own that
            # says how many pages there are (see get_template_names and render_to_response).
            self.page_missing = int(asked)
            return paginator, None, queryset.none(), False

    def get_paginate_by(self, queryset):
        try:
            size = int(self.request.GET.get("per_page", self.paginate_by))
        except ValueError:
            return self.paginate_by
        return size if size in self.page_sizes else self.paginate_by

    def get_context_data(self, **kwargs):
        meta = self.model._meta
        return super().get_context_data(
            filterset=self.filterset,
            title=meta.verbose_name_plural.capitalize(),
            card_template=f"{meta.app_label}/partials/{meta.model_name}_card.html",
            page_sizes=self.page_sizes,
            active_filters=self.active_filters() if self.filterset.is_valid() else [],
            **kwargs,
        )

    def active_filters(self):
        """Each chosen filter value as (label, link that removes it), shown above results."""
        chips = []
        for name, field in self.filterset.form.fields.items():
            values = [v for v in self.request.GET.getlist(name) if v]
            if name == "when" or not values:
                continue
            # A yes/no filter is a chip only when it is on ("free=false" asks for nothing).
            yes_no = isinstance(field, forms.BooleanField)
            if yes_no and not self.filterset.form.cleaned_data.get(name):
                continue
            labels = {str(value): label for value, label in getattr(field, "choices", [])}
            for value in values:
                remaining = self.request.GET.copy()
                remaining.pop("page", None)
                remaining.setlist(name, [v for v in remaining.getlist(name) if v != value])
                label = labels.get(value, f"“{value}”") if labels else f"“{value}”"
                if yes_no:
                    label = "yes"
                chips.append((f"{field.label}: {label}", f"?{remaining.urlencode()}"))
        return chips

    def get_template_names(self):
        if self.page_missing:
            return ["core/page_missing.html"]
        return super().get_template_names()

    def render_to_response(self, context, **kwargs):
        if self.filterset.errors:
            kwargs["status"] = 400
        elif self.page_missing:
            kwargs["status"] = 404
        return super().render_to_response(context, **kwargs)


class HomeView(TemplateView):
    """The front door: one search box, what's on, what's new, and where to start."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        organisations = Organisation.objects.published()
        kind_counts = dict(
            organisations.order_by()
            .values_list("kind")
            .annotate(n=Count("pk"))
            .values_list("kind", "n")
        )
        counts = [
            (label, kind_counts[value], f"/organisations/?kind={value}")
            for value, label in Organisation.Kind.choices
            if kind_counts.get(value)
        ]
        totals = [
            ("Organisations", sum(kind_counts.values()), "/organisations/"),
            ("Places", Place.objects.published().count(), "/places/"),
            ("Programmes", Programme.objects.published().count(), "/programmes/"),
            ("Upcoming events", Event.objects.published().upcoming().count(), "/events/"),
            ("Smart-city trials", Trial.objects.published().count(), "/trials/"),
        ]
        newest = sorted(
            [
                *Organisation.objects.published().newest()[:6],
                *Place.objects.published().newest()[:6],
                *Programme.objects.published().newest()[:6],
            ],
            key=lambda listing: listing.created,
            reverse=True,
        )[:6]
        return super().get_context_data(
            totals=totals,
            kind_counts=counts,
            upcoming=Event.objects.published().upcoming().select_related("venue")[:5],
            newest=newest,
            pathways=PATHWAYS.values(),
            **kwargs,
        )


def pathway(request, slug):
    """An entry point for one of the workstreams: where a visitor with that need starts."""
    try:
        path = PATHWAYS[slug]
    except KeyError:
        raise Http404("No such pathway") from None
    sections = [{**section, "listings": section["queryset"]()[:4]} for section in path["sections"]]
    return render(
        request,
        "core/pathway.html",
        {"pathway": path, "sections": sections, "today": timezone.localdate()},
    )
