"""The search page's query string, validated: anything malformed is dropped, never a 500."""

import re

from django import forms

from frontdoor.search import query
from frontdoor.search.backend import KINDS, SUBKIND_LABELS

WITHIN = [1, 2, 5, 10, 25, 50, 100]
PER_PAGE = [10, 20, 50]
MAX_QUERY = 200
ONS_CODE = re.compile(r"^[EWSN][0-9]{8}$")


class SearchForm(forms.Form):
    """Every parameter the search page understands; the same names make every state a URL."""

    # Longer text is cut, not dropped: dropped, it would list everything.
    q = forms.CharField(required=False, strip=True, label="Search for")
    type = forms.MultipleChoiceField(required=False, choices=[(k, k) for k in KINDS])
    subkind = forms.MultipleChoiceField(required=False, choices=list(SUBKIND_LABELS.items()))
    sector = forms.MultipleChoiceField(required=False)
    stage = forms.MultipleChoiceField(required=False)
    area = forms.MultipleChoiceField(required=False)
    open = forms.BooleanField(required=False)
    upcoming = forms.BooleanField(required=False)
    # Long enough for "MK9 3HS, UK": what is not a postcode gets a notice from the lookup.
    near = forms.CharField(required=False, max_length=40, strip=True, label="Near postcode")
    within = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "any distance")] + [(str(km), f"{km} km") for km in WITHIN],
    )
    sort = forms.ChoiceField(required=False, choices=[("", "Best")] + list(query.SORTS.items()))
    page = forms.IntegerField(required=False, min_value=1, max_value=500)
    per_page = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=20, choices=[(str(n), n) for n in PER_PAGE]
    )

    def __init__(self, data, *, labels):
        super().__init__(data)
        # Sectors and stages are curated data, so their choices are read per request.
        self.fields["sector"].choices = list(labels["sector"].items())
        self.fields["stage"].choices = list(labels["stage"].items())
        # Any well-formed ONS district code is a valid area, named or not.
        self.fields["area"].choices = [
            (v, v) for v in data.getlist("area") if isinstance(v, str) and ONS_CODE.match(v)
        ]

    def clean_q(self):
        return self.cleaned_data["q"][:MAX_QUERY]

    def params(self):
        """A query.Params from the valid fields; invalid ones fall back to their defaults."""
        self.is_valid()
        cleaned = {}
        for name in self.fields:
            if name in self.cleaned_data and name not in self.errors:
                cleaned[name] = self.cleaned_data[name]
        values = {k: v for k, v in cleaned.items() if v not in (None, "")}
        values.setdefault("page", 1)
        values["per_page"] = cleaned.get("per_page") or 20
        return query.Params(**values)
