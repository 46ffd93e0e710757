from django.urls import path

from frontdoor.events import views

app_name = "events"

urlpatterns = [
    path("events/", views.EventList.as_view(), name="event-list"),
    path("events/<slug:slug>/", views.EventDetail.as_view(), name="event-detail"),
]
