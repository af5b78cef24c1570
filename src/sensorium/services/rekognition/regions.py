"""Rekognition's ``RegionsOfInterest``: which share of a detected item lies in a region.

AWS: "A word, face, or label is included in the region if it is more than half in that
region. If there is more than one region, [it] is compared with all regions [...]. Any object
of interest that is more than half in a region is kept." So an item is kept when more than
half of its own area lies inside at least one region (its share inside each region taken
separately, never summed across regions).

The item is a convex polygon (a word's quadrilateral); a region is a box or a polygon of up to
ten points, convex or not. Its part inside the item is found by clipping the region by the
item (Sutherland-Hodgman, exact for a convex clipping polygon whatever the other one), and
the areas by the shoelace formula. Shares of area do not change when the axes are scaled, so
ratios of the image (Rekognition's coordinates) serve as well as pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

Point = tuple[float, float]
Polygon = Sequence[Point]


def area(polygon: Polygon) -> float:
    """Unsigned area (shoelace)."""
    return abs(_signed_area(polygon))


def _signed_area(polygon: Polygon) -> float:
    total = 0.0
    for (x0, y0), (x1, y1) in zip(polygon, [*polygon[1:], *polygon[:1]], strict=True):
        total += x0 * y1 - x1 * y0
    return total / 2


def box(left: float, top: float, width: float, height: float) -> list[Point]:
    return [(left, top), (left + width, top), (left + width, top + height), (left, top + height)]


def share_inside(item: Polygon, region: Polygon) -> float:
    """The fraction (0-1) of ``item`` (convex) that lies inside ``region``."""
    whole = area(item)
    if whole <= 0:  # a degenerate item counts by its centre
        cx = sum(x for x, _ in item) / len(item)
        cy = sum(y for _, y in item) / len(item)
        return 1.0 if contains(region, (cx, cy)) else 0.0
    return min(1.0, area(clip(region, item)) / whole)


def more_than_half_in_any(item: Polygon, regions: Sequence[Polygon]) -> bool:
    return any(share_inside(item, region) > 0.5 for region in regions)


def clip(subject: Polygon, convex: Polygon) -> list[Point]:
    """``subject`` cut down to its part inside ``convex`` (Sutherland-Hodgman)."""
    direction = 1.0 if _signed_area(convex) >= 0 else -1.0
    output = list(subject)
    for a, b in zip(convex, [*convex[1:], *convex[:1]], strict=True):
        if not output:
            break
        points, output = output, []

        def inside(p: Point, a: Point = a, b: Point = b) -> bool:
            return direction * _cross(a, b, p) >= 0

        for current, following in zip(points, [*points[1:], *points[:1]], strict=True):
            if inside(following):
                if not inside(current):
                    output.append(_crossing(current, following, a, b))
                output.append(following)
            elif inside(current):
                output.append(_crossing(current, following, a, b))
    return output


def contains(polygon: Polygon, point: Point) -> bool:
    """Even-odd rule."""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(polygon, [*polygon[1:], *polygon[:1]], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _cross(a: Point, b: Point, p: Point) -> float:
    return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])


def _crossing(p: Point, q: Point, a: Point, b: Point) -> Point:
    """Where the segment p-q meets the line through a and b."""
    dp, dq = _cross(a, b, p), _cross(a, b, q)
    t = dp / (dp - dq) if dp != dq else 0.0
    return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))
