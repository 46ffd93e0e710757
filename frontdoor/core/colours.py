"""WCAG contrast arithmetic, so branding colours can be checked before they go live."""


def _luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a, b):
    """The WCAG 2 contrast ratio between two #rrggbb colours, from 1 to 21."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# What each branding colour meets, and must stay readable against (WCAG AA, 4.5:1): white
# text on both, and the primary colour is also the links' colour on the page, the grey
# panels and the notices (site.css).
MEETS = {
    "primary_colour": {"#ffffff": "white", "#f3f4f6": "grey panels", "#fff4e5": "notices"},
    "accent_colour": {"#ffffff": "white"},
}


def unreadable_against(role, colour):
    """The backgrounds a branding colour ("primary_colour" or "accent_colour") is too light
    for; empty when it reads on all of them."""
    return [name for bg, name in MEETS[role].items() if contrast_ratio(colour, bg) < 4.5]
