"""The filters every listing shares; each app's filters.py adds its own kinds and fields."""

import django_filters
from django import forms

from frontdoor.directory.models import Sector


class FilterBoundField(forms.BoundField):
    """A filter field on a list page, whose error is told once, in the page's words."""

    @property
    def error_reason(self):
        """What is wrong, for the line under the field: a bad choice is named as such."""
        reasons = []
        for error in self.errors.as_data():
            if error.code == "invalid_choice" and error.params:
                reasons.append(f"“{error.params['value']}” is not one of the choices below.")
            else:
                reasons.extend(error.messages)
        return " ".join(reasons)

    @property
    def error_line(self):
        """The reason with the field's label (not its query name), for the box above the form."""
        return f"{self.label}: {self.error_reason}"

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        # The bad value of a group is none of its boxes: the group's fieldset is described by
        # the error instead of each box saying "invalid" without a reason.
        if self.use_fieldset:
            attrs.pop("aria-invalid", None)
        return attrs


class ListingFilterSet(django_filters.FilterSet):
    """Free-text match and sectors; the same query string serves pages, API and feeds."""

    q = django_filters.CharFilter(method="filter_text", label="Name or description contains")
    sector = django_filters.ModelMultipleChoiceFilter(
        queryset=Sector.objects.all(),
        to_field_name="slug",
        method="filter_related",
        field_name="sectors",
        widget=forms.CheckboxSelectMultiple,
        label="Sector",
    )

    def __init__(self, data=None, *args, **kwargs):
        # An empty value ("?kind=", from a form's "any" option) asks for nothing: drop it
        # rather than reject it as an unknown choice.
        if hasattr(data, "getlist"):
            data = data.copy()
            for key in list(data):
                values = [value for value in data.getlist(key) if value != ""]
                if values:
                    data.setlist(key, values)
                else:
                    del data[key]
        super().__init__(data, *args, **kwargs)

    def get_form_class(self):
        form = super().get_form_class()  # a class made for this filter set, so ours to change
        form.bound_field_class = FilterBoundField
        return form

    def filter_text(self, queryset, name, value):
        return queryset.matching(value)

    def filter_related(self, queryset, name, value):
        """Match any of the chosen terms of a many-to-many field, without duplicate rows."""
        if not value:
            return queryset
        field = queryset.model._meta.get_field(name)
        through = field.remote_field.through
        own = field.m2m_field_name()
        other = field.m2m_reverse_field_name()
        ids = through.objects.filter(**{f"{other}__in": value}).values(f"{own}_id")
        return queryset.filter(pk__in=ids)


def kind_filter(choices):
    return django_filters.MultipleChoiceFilter(
        choices=choices, widget=forms.CheckboxSelectMultiple, label="Kind"
    )
