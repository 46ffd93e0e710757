"""System checks (`frontdoor check`) for settings Django cannot judge."""

from django.conf import settings
from django.core.checks import Warning, register

from frontdoor.core.colours import unreadable_against
from frontdoor.core.models import hex_colour


@register()
def branding_colours(app_configs, **kwargs):
    """The colours set by environment variable, held to the admin's rule."""
    problems = []
    for setting, role in [
        ("FRONTDOOR_PRIMARY_COLOUR", "primary_colour"),
        ("FRONTDOOR_ACCENT_COLOUR", "accent_colour"),
    ]:
        colour = getattr(settings, setting)
        if not hex_colour.regex.match(colour):
            message = f"{setting} “{colour}” is not a #rrggbb colour."
            problems.append(Warning(message, id="core.W001"))
        elif failing := unreadable_against(role, colour):
            problems.append(
                Warning(
                    f"{setting} {colour} is too light: it fails WCAG AA (4.5:1) against "
                    f"{', '.join(failing)}.",
                    id="core.W002",
                )
            )
    return problems
