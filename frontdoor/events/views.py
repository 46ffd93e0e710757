from django.views.generic import DetailView

from frontdoor.core.views import FilteredListView
from frontdoor.events.filters import EventFilterSet
from frontdoor.events.models import Event


class EventList(FilteredListView):
    model = Event
    filterset_class = EventFilterSet
    queryset = Event.objects.published().select_related("venue").prefetch_related("sectors")


class EventDetail(DetailView):
    queryset = (
        Event.objects.visible().select_related("venue").prefetch_related("sectors", "organisers")
    )
