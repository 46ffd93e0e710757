import django_filters
from django import forms
from django.db.models import Q

from frontdoor.core.filters import ListingFilterSet, kind_filter
from frontdoor.core.models import PublicationState
from frontdoor.events.models import Event

# Local authority districts (ONS codes) a hub in the reference regions lists events in.
# Fixed here rather than read from the venues, so the list page costs no extra query.
AREAS = [
    ("E06000042", "Milton Keynes"),
    ("E08000025", "Birmingham"),
    ("E08000026", "Coventry"),
    ("E08000003", "Manchester"),
    ("E08000035", "Leeds"),
    ("E08000039", "Sheffield"),
    ("E08000012", "Liverpool"),
    ("E08000021", "Newcastle upon Tyne"),
]


class YesNoCheckbox(forms.CheckboxInput):
    """A checkbox that also reads an API client's booleans: "false", "0", "no" and "off"
    untick it, where a plain checkbox would take any text but "false" as ticked."""

    VALUES = {"on": True, "true": True, "1": True, "yes": True}
    VALUES |= {"off": False, "false": False, "0": False, "no": False}

    def __init__(self, attrs=None):
        # Ticked only for a yes: text it can't read must not show as a ticked box.
        super().__init__(attrs, check_test=lambda value: value is True)

    def format_value(self, value):
        # The box stands for "yes" whatever the link said: ticked, it sends "on", never the
        # unreadable text again.
        return None

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if isinstance(value, str):
            # Anything else is passed on as it is, for YesNoField to refuse.
            return self.VALUES.get(value.lower(), value)
        return super().value_from_datadict(data, files, name)


class YesNoField(forms.NullBooleanField):
    """Yes, no or not given; a value that is none of these is an error, not a silent "no"
    (a link with ?free=maybe would otherwise list paid events without saying why)."""

    widget = YesNoCheckbox

    def to_python(self, value):
        if isinstance(value, str) and value:
            raise forms.ValidationError(
                "“%(value)s” is not a yes or no: use true or false (or 1/0, yes/no, on/off).",
                code="invalid",
                params={"value": value},
            )
        return super().to_python(value)


class YesNoFilter(django_filters.BooleanFilter):
    field_class = YesNoField


class EventFilterSet(ListingFilterSet):
    when = django_filters.ChoiceFilter(
        choices=[("upcoming", "Upcoming"), ("past", "Past")],
        method="filter_when",
        empty_label=None,
        widget=forms.RadioSelect,
        label="When",
    )
    kind = kind_filter(Event.Kind.choices)
    free = YesNoFilter(field_name="is_free", label="Free only", method="filter_free")
    attendance = django_filters.ChoiceFilter(
        choices=[("in_person", "In person"), ("online", "Online")],
        method="filter_attendance",
        widget=forms.RadioSelect,
        empty_label="Either",
        label="Online or in person",
    )
    area = django_filters.MultipleChoiceFilter(
        choices=AREAS,
        method="filter_area",
        widget=forms.CheckboxSelectMultiple,
        label="Area",
    )
    # Not on the form (there may be thousands): set by links from an organisation's or a
    # festival's page, and in their subscribe links.
    organiser = django_filters.CharFilter(method="filter_organiser", widget=forms.HiddenInput)
    festival = django_filters.CharFilter(method="filter_festival", widget=forms.HiddenInput)

    class Meta:
        model = Event
        fields = ["q", "when", "kind", "sector", "free", "attendance", "area"]

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

    def filter_attendance(self, queryset, name, value):
        if value == "online":
            return queryset.exclude(online_url="")
        if value == "in_person":
            # A draft venue doesn't count: the event's own record leaves it out.
            return queryset.filter(
                Q(venue__state=PublicationState.PUBLISHED) | ~Q(location_text="")
            )
        return queryset

    def errors_text(self):
        """What is wrong with the filters of a feed link, for the plain-text 400 answer."""
        errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in self.errors.items())
        return f"Some filters in this link don't exist: {errors}"

    def filter_organiser(self, queryset, name, value):
        if not value:
            return queryset
        # A draft organiser's slug matches nothing, as if unknown.
        return queryset.filter(organisers__slug=value, organisers__state=PublicationState.PUBLISHED)

    # Drafts match nothing here either, so these filters can't tell that one exists.
    def filter_festival(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(festival__slug=value, festival__state=PublicationState.PUBLISHED)

    def filter_area(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            venue__local_authority_code__in=value, venue__state=PublicationState.PUBLISHED
        )
