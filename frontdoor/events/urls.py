from django.urls import path

from frontdoor.events import views

app_name = "events"

urlpatterns = [
    path("events/", views.EventList.as_view(), name="event-list"),
    path("events.ics", views.events_ics, name="events-ics"),
    path("events.atom", views.events_atom, name="events-atom"),
    path("events/calendar/", views.CalendarView.as_view(view="month"), name="calendar"),
    path(
        "events/calendar/<int:year>/<int:month>/",
        views.CalendarView.as_view(view="month"),
        name="calendar-month",
    ),
    path(
        "events/calendar/<int:year>/week/<int:week>/",
        views.CalendarView.as_view(view="week"),
        name="calendar-week",
    ),
    path(
        "events/calendar/<int:year>/<int:month>/<int:day>/",
        views.CalendarView.as_view(view="day"),
        name="calendar-day",
    ),
    path("events/<slug:slug>.ics", views.event_ics, name="event-ics"),
    path("events/<slug:slug>/pitch/", views.pitch_apply, name="pitch-apply"),
    path("events/<slug:slug>/", views.EventDetail.as_view(), name="event-detail"),
    path("organisations/<slug:slug>/events.ics", views.organisation_ics, name="organisation-ics"),
    path("festivals/", views.FestivalList.as_view(), name="festival-list"),
    path("festivals/<slug:slug>/", views.FestivalDetail.as_view(), name="festival-detail"),
]
