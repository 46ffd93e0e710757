from django.db.models import Prefetch
from django.views.generic import DetailView

from frontdoor.core.views import FilteredListView
from frontdoor.directory import filters
from frontdoor.directory.models import Organisation, Person, Place, Programme, Trial


class DirectoryList(FilteredListView):
    """A directory list, paged in a total order."""

    def get_queryset(self):
        # Names repeat: without the pk, PostgreSQL may order ties differently for each page,
        # showing a record twice and another never.
        return super().get_queryset().order_by("name", "pk")


class OrganisationList(DirectoryList):
    model = Organisation
    filterset_class = filters.OrganisationFilterSet
    queryset = Organisation.objects.published().select_related("stage").prefetch_related("sectors")


class OrganisationDetail(DetailView):
    queryset = Organisation.objects.visible().select_related("stage").prefetch_related("sectors")

    def get_context_data(self, **kwargs):
        org = self.object
        return super().get_context_data(
            places=org.places.published(),
            programmes=org.programmes.published(),
            events=org.events.published().upcoming()[:10],
            trials=(org.trials_led.published() | org.trials.published()).distinct(),
            people=org.people.published(),
            **kwargs,
        )


class PlaceList(DirectoryList):
    model = Place
    filterset_class = filters.PlaceFilterSet
    queryset = Place.objects.published().select_related("operator").prefetch_related("sectors")


class PlaceDetail(DetailView):
    queryset = Place.objects.visible().select_related("operator").prefetch_related("sectors")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            events=self.object.events.published().upcoming()[:10],
            trials=self.object.trials.published(),
            **kwargs,
        )


class ProgrammeList(DirectoryList):
    model = Programme
    filterset_class = filters.ProgrammeFilterSet
    queryset = (
        Programme.objects.published()
        .select_related("provider")
        .prefetch_related("sectors", "stages")
    )


class ProgrammeDetail(DetailView):
    queryset = (
        Programme.objects.visible().select_related("provider").prefetch_related("sectors", "stages")
    )


class PersonList(DirectoryList):
    model = Person
    filterset_class = filters.PersonFilterSet
    queryset = (
        Person.objects.published()
        .select_related("organisation")
        .prefetch_related("roles", "sectors")
    )


class PersonDetail(DetailView):
    queryset = (
        Person.objects.visible().select_related("organisation").prefetch_related("roles", "sectors")
    )


class TrialList(DirectoryList):
    model = Trial
    filterset_class = filters.TrialFilterSet
    queryset = (
        Trial.objects.published().select_related("lead", "test_bed").prefetch_related("sectors")
    )


class TrialDetail(DetailView):
    queryset = (
        Trial.objects.visible()
        .select_related("lead", "test_bed")
        .prefetch_related(
            "sectors",
            Prefetch("partners", queryset=Organisation.objects.published()),
        )
    )
