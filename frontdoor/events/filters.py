import django_filters
from django import forms

from frontdoor.core.filters import ListingFilterSet, kind_filter
from frontdoor.events.models import Event


class EventFilterSet(ListingFilterSet):
    when = django_filters.ChoiceFilter(
        choices=[("upcoming", "Upcoming"), ("past", "Past")],
        method="filter_when",
        empty_label=None,
        widget=forms.RadioSelect,
        label="When",
    )
    kind = kind_filter(Event.Kind.choices)
    free = django_filters.BooleanFilter(
        field_name="is_free", widget=forms.CheckboxInput, label="Free only", method="filter_free"
    )

    class Meta:
        model = Event
        fields = ["q", "when", "kind", "sector", "free"]

    @property
    def qs(self):
        # Upcoming unless past events are asked for: a calendar starts from today.
        queryset = super().qs
        if self.form.cleaned_data.get("when") != "past":
            queryset = queryset.upcoming()
        return queryset

    def filter_when(self, queryset, name, value):
        return queryset.past() if value == "past" else queryset

    def filter_free(self, queryset, name, value):
        return queryset.filter(is_free=True) if value else queryset
