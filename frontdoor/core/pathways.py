"""Entry points for the four workstreams the Milton Keynes roundtables named, as data.

Each section links to a filtered list (the same query string as the list page) and shows
a few of its listings.
"""

from django.utils import timezone

from frontdoor.directory.models import Organisation, Place, Programme, Trial
from frontdoor.events.models import Event


def _organisations(*kinds):
    return lambda: Organisation.objects.published().filter(kind__in=kinds)


def _places(*kinds):
    return lambda: Place.objects.published().filter(kind__in=kinds)


def _programmes(*kinds):
    return lambda: (
        Programme.objects.published().open_on(timezone.localdate()).filter(kind__in=kinds)
    )


def _events(*kinds):
    return lambda: Event.objects.published().upcoming().filter(kind__in=kinds)


def _query(name, *values):
    return "&".join(f"{name}={v}" for v in values)


def _section(heading, text, path, param, values, queryset):
    return {
        "heading": heading,
        "text": text,
        "url": f"{path}?{_query(param, *values)}",
        "queryset": queryset,
    }


PATHWAYS = {
    "brand-and-place": {
        "slug": "brand-and-place",
        "title": "Brand and place",
        "summary": "Test beds, smart-city trials and the anchor employers that define the city.",
        "sections": [
            _section(
                "Test beds and networks",
                "Where products are trialled in the real city.",
                "/places/",
                "kind",
                ["test_bed", "network"],
                _places("test_bed", "network"),
            ),
            {
                "heading": "Smart-city trials",
                "text": "What is being tried out in the city now.",
                "url": "/trials/",
                "queryset": lambda: Trial.objects.published(),
            },
            _section(
                "Anchor employers",
                "The large firms and institutions at the ecosystem's core.",
                "/organisations/",
                "kind",
                ["anchor"],
                _organisations("anchor"),
            ),
        ],
    },
    "talent-and-skills": {
        "slug": "talent-and-skills",
        "title": "Talent and skills",
        "summary": "Universities, colleges, training and the communities where people learn.",
        "sections": [
            _section(
                "Educators",
                "Universities, colleges and training providers.",
                "/organisations/",
                "kind",
                ["educator"],
                _organisations("educator"),
            ),
            _section(
                "Training and mentoring",
                "Courses and schemes open now.",
                "/programmes/",
                "kind",
                ["training", "mentoring"],
                _programmes("training", "mentoring"),
            ),
            _section(
                "Meetups and workshops",
                "Coming up: places to learn and meet people.",
                "/events/",
                "kind",
                ["meetup", "workshop", "hackathon"],
                _events("meetup", "workshop", "hackathon"),
            ),
            _section(
                "Community groups",
                "Volunteer-run groups that welcome newcomers.",
                "/organisations/",
                "kind",
                ["community"],
                _organisations("community"),
            ),
        ],
    },
    "entrepreneurship-and-innovation": {
        "slug": "entrepreneurship-and-innovation",
        "title": "Entrepreneurship and innovation",
        "summary": "Funding, accelerators, investors and pitch sessions for founders.",
        "sections": [
            _section(
                "Funds and grants",
                "Money you can apply for now.",
                "/programmes/",
                "kind",
                ["fund", "grant"],
                _programmes("fund", "grant"),
            ),
            _section(
                "Accelerators and incubators",
                "Programmes that help a start-up grow.",
                "/programmes/",
                "kind",
                ["accelerator", "incubator"],
                _programmes("accelerator", "incubator"),
            ),
            _section(
                "Investors",
                "Angel groups and funds investing locally.",
                "/organisations/",
                "kind",
                ["investor"],
                _organisations("investor"),
            ),
            _section(
                "Pitch sessions",
                "Where founders meet investors.",
                "/events/",
                "kind",
                ["pitch"],
                _events("pitch"),
            ),
        ],
    },
    "relocating-here": {
        "slug": "relocating-here",
        "title": "Relocating here",
        "summary": "For firms moving in: workspaces, support and who to talk to first.",
        "sections": [
            _section(
                "Workspaces",
                "Desks, offices and labs to move into.",
                "/places/",
                "kind",
                ["workspace", "lab", "makerspace"],
                _places("workspace", "lab", "makerspace"),
            ),
            _section(
                "Business support",
                "Organisations that help firms settle and grow.",
                "/organisations/",
                "kind",
                ["support", "public"],
                _organisations("support", "public"),
            ),
            _section(
                "Anchor employers",
                "Potential customers, partners and neighbours.",
                "/organisations/",
                "kind",
                ["anchor"],
                _organisations("anchor"),
            ),
        ],
    },
}
