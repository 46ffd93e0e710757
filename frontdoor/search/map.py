"""A map of a page of results, drawn on the server as SVG: it needs no script and no tile
server. With SEARCH_TILE_URL set, tiles are laid under the points as plain images, so an
unreachable tile server costs only the background."""

import math
from dataclasses import dataclass
from html import escape

from django.utils.safestring import mark_safe

TILE = 256


@dataclass
class Marker:
    number: int
    x: float
    y: float
    label: str
    url: str


def _world(lat, lon, zoom):
    """Web Mercator pixel coordinates at a zoom level."""
    scale = TILE * 2**zoom
    lat = max(-85.0, min(85.0, lat))
    siny = math.sin(math.radians(lat))
    x = (lon + 180.0) / 360.0 * scale
    y = (0.5 - math.log((1 + siny) / (1 - siny)) / (4 * math.pi)) * scale
    return x, y


def _spread(markers, radius=11):
    """Markers at one spot (a building's several tenants) set around it in a ring, so each
    can be seen, clicked and focused; a ring at most 80 px across lets the largest overlap."""
    at = {}
    for marker in markers:
        at.setdefault((marker.x, marker.y), []).append(marker)
    for (x, y), group in at.items():
        if len(group) < 2:
            continue
        # Neighbours on the ring are a chord apart: at least a marker's width when it fits.
        ring = min(40.0, radius / math.sin(math.pi / len(group)) + 1)
        for i, marker in enumerate(group):
            angle = 2 * math.pi * i / len(group) - math.pi / 2
            marker.x = round(x + ring * math.cos(angle), 1)
            marker.y = round(y + ring * math.sin(angle), 1)


def results_map(hits, near=None, *, start=1, tile_url="", width=480, height=360, pad=24):
    """Markers (and tiles) for the located hits, or None when nothing has a location."""
    located = [h for h in hits if h.latitude is not None and h.longitude is not None]
    points = [(h.latitude, h.longitude) for h in located]
    if near:
        points.append((near.latitude, near.longitude))
    if not located:
        return None
    # The extent at zoom 0, doubled per level (exactly: powers of two), instead of
    # projecting every point again at each zoom level tried.
    xy = [_world(lat, lon, 0) for lat, lon in points]
    span_x = max(p[0] for p in xy) - min(p[0] for p in xy)
    span_y = max(p[1] for p in xy) - min(p[1] for p in xy)
    zoom = 15
    while zoom > 1:
        if span_x * 2**zoom <= width - 2 * pad and span_y * 2**zoom <= height - 2 * pad:
            break
        zoom -= 1
    xy = [_world(lat, lon, zoom) for lat, lon in points]
    cx = (min(p[0] for p in xy) + max(p[0] for p in xy)) / 2
    cy = (min(p[1] for p in xy) + max(p[1] for p in xy)) / 2
    left, top = cx - width / 2, cy - height / 2
    markers = []
    for number, hit in enumerate(hits, start=start):
        if hit in located:
            x, y = _world(hit.latitude, hit.longitude, zoom)
            markers.append(Marker(number, round(x - left, 1), round(y - top, 1), hit.name, hit.url))
    _spread(markers)
    centre = None
    if near:
        x, y = _world(near.latitude, near.longitude, zoom)
        centre = (round(x - left, 1), round(y - top, 1))
    tiles = []
    if tile_url:
        n = 2**zoom
        for tx in range(int(left // TILE), int((left + width) // TILE) + 1):
            for ty in range(int(top // TILE), int((top + height) // TILE) + 1):
                if 0 <= ty < n:
                    url = tile_url.format(z=zoom, x=tx % n, y=ty)
                    tiles.append((url, round(tx * TILE - left, 1), round(ty * TILE - top, 1)))
    return {
        "width": width,
        "height": height,
        "markers": markers,
        # As SVG here: twenty markers of eight template variables each cost a page noticeably.
        "markers_svg": mark_safe(
            "".join(
                f'<a href="{escape(m.url)}" aria-label="{m.number}. {escape(m.label)}">'
                f'<circle cx="{m.x}" cy="{m.y}" r="11" class="map-marker"/>'
                f'<text x="{m.x}" y="{m.y}" class="map-label" aria-hidden="true">{m.number}</text>'
                "</a>"
                for m in markers
            )
        ),
        "centre": centre,
        "tiles": tiles,
        "tile_size": TILE,
    }
