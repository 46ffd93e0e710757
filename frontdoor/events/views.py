"""The calendar's pages and feeds; one EventFilterSet query string drives them all."""

import calendar as pycalendar
import datetime

from django import forms
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from frontdoor.core.models import Branding, public
from frontdoor.core.views import FilteredListView
from frontdoor.directory.models import Organisation
from frontdoor.events import actions, feeds
from frontdoor.events.filters import EventFilterSet
from frontdoor.events.models import Event, Festival, PitchApplication

ICS_LIMIT = 2000  # a subscription larger than this is a sign the filter is wrong
ICS_HISTORY = datetime.timedelta(days=30)  # recent past stays, so clients don't drop it


def feed_links(request):
    """Subscribe (webcal), download (.ics) and Atom links carrying the current filters."""
    query = request.GET.copy()
    for name in ("page", "per_page"):
        query.pop(name, None)
    suffix = f"?{query.urlencode()}" if query else ""
    ics = request.build_absolute_uri(reverse("events:events-ics")) + suffix
    return {
        "ics_url": ics,
        "webcal_url": "webcal://" + ics.split("://", 1)[1],
        "atom_url": reverse("events:events-atom") + suffix,
    }


class EventList(FilteredListView):
    model = Event
    filterset_class = EventFilterSet
    queryset = Event.objects.published().select_related("venue").prefetch_related("sectors")
    template_name = "events/event_list.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        iso = today.isocalendar()
        query = self.request.GET.copy()
        for name in ("page", "per_page", "when"):
            query.pop(name, None)
        suffix = f"?{query.urlencode()}" if query else ""
        calendar_links = [
            (
                "day",
                "Day",
                reverse("events:calendar-day", args=[today.year, today.month, today.day]),
            ),
            ("week", "Week", reverse("events:calendar-week", args=[iso.year, iso.week])),
            ("month", "Month", reverse("events:calendar-month", args=[today.year, today.month])),
        ]
        return super().get_context_data(
            **feed_links(self.request),
            calendar_links=[(v, label, url + suffix) for v, label, url in calendar_links],
            **kwargs,
        )


class EventDetail(DetailView):
    queryset = (
        Event.objects.visible()
        .select_related("venue", "festival", "feed")
        .prefetch_related("sectors", "organisers")
    )

    def get_context_data(self, **kwargs):
        event = self.object
        context = {"ics_url": reverse("events:event-ics", args=[event.slug])}
        if event.kind == Event.Kind.PITCH:
            context["pitches"] = event.pitches.filter(status=PitchApplication.Status.ACCEPTED)
            context["pitch_form"] = kwargs.pop("pitch_form", None) or PitchForm()
            context["applied"] = self.request.GET.get("applied") == "1"
        return super().get_context_data(**context, **kwargs)


class PitchForm(forms.ModelForm):
    # Typed without a scheme ("example.org"), a website is taken to be https.
    website = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    consent = forms.BooleanField(
        label=(
            "List our company name, website, pitch, stage and asking on this page if we are "
            "accepted"
        ),
        required=True,
    )

    class Meta:
        model = PitchApplication
        fields = ["company_name", "founder_name", "email", "website", "stage", "pitch", "asking"]
        # Browsers fill these in from what they know (WCAG 1.3.5, identify input purpose).
        widgets = {
            "company_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "founder_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # Screen readers announce the hint and the error with the field.
            described = [f"id_{name}_help"] if field.help_text else []
            if self.is_bound and name in self.errors:
                described.append(f"id_{name}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


@require_POST
def pitch_apply(request, slug):
    """A founder applies to pitch; the form comes back with its errors when incomplete."""
    event = get_object_or_404(Event.objects.published(), slug=slug, kind=Event.Kind.PITCH)
    form = PitchForm(request.POST)
    if not event.taking_applications:
        why = "been cancelled" if event.is_cancelled else "started"
        form.add_error(None, f"This session has {why}: applications are closed.")
    if not form.is_valid():
        view = EventDetail(request=request, kwargs={"slug": slug}, object=event)
        view.object = event
        context = view.get_context_data(pitch_form=form)
        return render(request, "events/event_detail.html", context, status=400)
    data = {name: form.cleaned_data[name] for name in PitchForm.Meta.fields}
    data["consent"] = form.fields["consent"].label  # the box is required: it was ticked
    actions.pitch_apply(event, data=data)
    return HttpResponseRedirect(f"{event.get_absolute_url()}?applied=1#pitch")


def _ics_response(body, filename):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def event_ics(request, slug):
    """One event as an .ics file (the add-to-calendar download)."""
    event = get_object_or_404(Event.objects.visible().select_related("venue"), slug=slug)
    body = feeds.calendar([event], name=event.name, build_absolute_uri=request.build_absolute_uri)
    return _ics_response(body, f"{event.slug[:60]}.ics")


def events_ics(request):
    """The calendar, filtered like the list page, for subscription (webcal://)."""
    queryset = Event.objects.published().select_related("venue")
    filterset = EventFilterSet(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        return HttpResponse(filterset.errors_text(), status=400, content_type="text/plain")
    events = filterset.filter_queryset(queryset)
    cleaned = filterset.form.cleaned_data
    # A festival's programme is wanted whole, even after the festival.
    if cleaned.get("when") != "past" and not cleaned.get("festival"):
        events = events.filter(ends_at__gte=timezone.now() - ICS_HISTORY)
    if cleaned.get("when") == "past":  # the most recent, as the list page starts with them
        events = list(events.order_by("-starts_at", "-pk")[:ICS_LIMIT])[::-1]
    else:
        events = events.order_by("starts_at", "pk")[:ICS_LIMIT]
    name = Branding.current().site_name + " events"
    festival = filterset.form.cleaned_data.get("festival")
    organiser = filterset.form.cleaned_data.get("organiser")
    if festival or organiser:
        name += f" ({festival or organiser})"
    body = feeds.calendar(events, name=name, build_absolute_uri=request.build_absolute_uri)
    return _ics_response(body, "events.ics")


def organisation_ics(request, slug):
    """One organisation's events: /organisations/<slug>/events.ics, for its subscribe link."""
    organisation = get_object_or_404(Organisation.objects.visible(), slug=slug)
    queryset = (
        Event.objects.published()
        .filter(organisers=organisation, ends_at__gte=timezone.now() - ICS_HISTORY)
        .select_related("venue")
        .order_by("starts_at", "pk")[:ICS_LIMIT]
    )
    body = feeds.calendar(
        queryset, name=organisation.name, build_absolute_uri=request.build_absolute_uri
    )
    return _ics_response(body, f"{organisation.slug[:60]}.ics")


def events_atom(request):
    """New events as Atom, filtered like the list page."""
    # A feed per request: it keeps the request while it runs, and waitress runs many at once.
    return feeds.NewEventsAtom()(request)


class CalendarView(ListView):
    """Day, week and month views of the calendar, with the list page's filters."""

    template_name = "events/calendar.html"
    context_object_name = "events"
    view = "month"

    def get(self, request, *args, **kwargs):
        try:
            self.start, self.end, self.previous, self.next = self.period(**kwargs)
        except (ValueError, OverflowError):
            raise Http404("No such date") from None
        return super().get(request, *args, **kwargs)

    def period(self, year=None, month=None, day=None, week=None):
        """(first day, day after the last, previous period's first day, next period's)."""
        today = timezone.localdate()
        one, seven = datetime.timedelta(days=1), datetime.timedelta(days=7)
        if self.view == "day":
            first = today if year is None else datetime.date(year, month, day)
            return first, first + one, first - one, first + one
        if self.view == "week":
            monday = today - datetime.timedelta(days=today.weekday())
            first = monday if year is None else datetime.date.fromisocalendar(year, week, 1)
            return first, first + seven, first - seven, first + seven
        first = today.replace(day=1) if year is None else datetime.date(year, month, 1)
        following = (first + 32 * one).replace(day=1)
        previous = (first - one).replace(day=1)
        return first, following, previous, following

    def get_queryset(self):
        queryset = Event.objects.published().select_related("venue")
        # The filter's "when" is left out: the period chosen is the "when" here.
        query = self.request.GET.copy()
        query.pop("when", None)
        self.filterset = EventFilterSet(query, queryset=queryset, request=self.request)
        if not self.filterset.is_valid():
            return queryset.none()
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time(), tz)
        end = datetime.datetime.combine(self.end, datetime.time(), tz)
        return self.filterset.filter_queryset(queryset).overlapping(start, end)

    def days(self, events):
        """(date, events that day) for every day of the period, in the site's time zone."""
        by_day = {}
        for event in events:
            first, last = event.calendar_days()
            first = max(first, self.start)
            last = min(last, self.end - datetime.timedelta(1))
            day = first
            while day <= last:
                by_day.setdefault(day, []).append(event)
                day += datetime.timedelta(days=1)
        span = (self.end - self.start).days
        return [
            (self.start + datetime.timedelta(n), by_day.get(self.start + datetime.timedelta(n), []))
            for n in range(span)
        ]

    def url_for(self, view, day):
        if view == "day":
            args = [day.year, day.month, day.day]
        elif view == "week":
            iso = day.isocalendar()
            args = [iso.year, iso.week]
        else:
            args = [day.year, day.month]
        query = self.request.GET.urlencode()
        return reverse(f"events:calendar-{view}", args=args) + (f"?{query}" if query else "")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        days = self.days(context["events"])
        weeks = []
        if self.view == "month":
            lead = [(None, [])] * self.start.weekday()
            cells = lead + days
            cells += [(None, [])] * (-len(cells) % 7)
            weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
        if self.view == "day":
            title = f"{self.start:%A %-d %B %Y}"
        elif self.view == "week":
            last = self.end - datetime.timedelta(1)
            title = f"Week of {self.start:%-d %B %Y} to {last:%-d %B %Y}"
        else:
            title = f"{self.start:%B %Y}"
        return {
            **context,
            **feed_links(self.request),
            "filterset": self.filterset,
            "view": self.view,
            "title": title,
            "days": days,
            "weeks": weeks,
            "weekday_names": list(pycalendar.day_name),
            "today": timezone.localdate(),
            "has_events": any(events for _, events in days),
            "previous_url": self.url_for(self.view, self.previous),
            "next_url": self.url_for(self.view, self.next),
            "view_urls": [
                ("day", "Day", self.url_for("day", self.start)),
                ("week", "Week", self.url_for("week", self.start)),
                ("month", "Month", self.url_for("month", self.start)),
            ],
            "list_url": reverse("events:event-list")
            + (f"?{self.request.GET.urlencode()}" if self.request.GET else ""),
        }

    def render_to_response(self, context, **kwargs):
        if self.filterset.errors:
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)


class FestivalList(ListView):
    """Festivals, newest first: each a programme of many organisers' events."""

    queryset = Festival.objects.visible()
    template_name = "events/festival_list.html"


class FestivalDetail(DetailView):
    """A festival's programme by day, with its venues and tracks."""

    queryset = Festival.objects.visible().prefetch_related("organisers")

    def get_context_data(self, **kwargs):
        festival = self.object
        events = (
            festival.events.published()
            .select_related("venue")
            .prefetch_related("organisers")
            .order_by("starts_at", "track", "pk")
        )
        tracks = sorted({e.track for e in events if e.track})
        track = self.request.GET.get("track", "")
        track = track if track in tracks else ""  # an unknown track shows the whole programme
        shown = [e for e in events if not track or e.track == track]
        programme = {}
        for event in shown:
            programme.setdefault(event.calendar_days()[0], []).append(event)
        organisers = {org.pk: org for e in events for org in public(e.organisers)}
        organisers |= {org.pk: org for org in public(festival.organisers)}
        venues = {e.venue.pk: e.venue for e in events if public(e.venue)}
        query = f"festival={festival.slug}"
        ics = request_ics = self.request.build_absolute_uri(reverse("events:events-ics"))
        return super().get_context_data(
            programme=sorted(programme.items()),
            tracks=tracks,
            track=track,
            organisers=sorted(organisers.values(), key=lambda o: o.name),
            venues=sorted(venues.values(), key=lambda v: v.name),
            ics_url=f"{request_ics}?{query}",
            webcal_url="webcal://" + ics.split("://", 1)[1] + f"?{query}",
            **kwargs,
        )
