import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from frontdoor.core.filters import ListingFilterSet, kind_filter
from frontdoor.directory.models import Organisation, Person, Place, Programme, Role, Stage, Trial


def stage_filter(field_name, method=None):
    return django_filters.ModelMultipleChoiceFilter(
        queryset=Stage.objects.all(),
        to_field_name="slug",
        field_name=field_name,
        method=method,
        widget=forms.CheckboxSelectMultiple,
        label="Stage",
    )


class OrganisationFilterSet(ListingFilterSet):
    kind = kind_filter(Organisation.Kind.choices)
    stage = stage_filter("stage__slug")

    class Meta:
        model = Organisation
        fields = ["q", "kind", "sector", "stage"]


class PlaceFilterSet(ListingFilterSet):
    kind = kind_filter(Place.Kind.choices)

    class Meta:
        model = Place
        fields = ["q", "kind", "sector"]


class ProgrammeFilterSet(ListingFilterSet):
    kind = kind_filter(Programme.Kind.choices)
    stage = stage_filter("stages", method="filter_stages")

    def filter_stages(self, queryset, name, value):
        """A programme with no stages is open to any stage, so it suits every stage chosen."""
        if not value:
            return queryset
        chosen = self.filter_related(queryset, name, value).values("pk")
        any_stage = ~Exists(Programme.stages.through.objects.filter(programme=OuterRef("pk")))
        return queryset.filter(Q(pk__in=chosen) | any_stage)

    class Meta:
        model = Programme
        fields = ["q", "kind", "sector", "stage"]


class PersonFilterSet(ListingFilterSet):
    role = django_filters.ModelMultipleChoiceFilter(
        queryset=Role.objects.all(),
        to_field_name="slug",
        field_name="roles",
        method="filter_related",
        widget=forms.CheckboxSelectMultiple,
        label="Role",
    )

    class Meta:
        model = Person
        fields = ["q", "role", "sector"]


class TrialFilterSet(ListingFilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Trial.Status.choices, widget=forms.CheckboxSelectMultiple, label="Status"
    )

    class Meta:
        model = Trial
        fields = ["q", "status", "sector"]
