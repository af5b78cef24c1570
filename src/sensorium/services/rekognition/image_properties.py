"""DetectLabels' ``ImageProperties``, computed from the pixels (no model).

* ``Quality``, each 0-100, on the image's luma (ITU-R BT.601) scaled to at most 512 pixels on
  its longer side: ``Brightness`` is the mean luma / 255; ``Contrast`` the RMS contrast, the
  luma's standard deviation / 127.5 (clipped at 100); ``Sharpness`` 100 * (1 - exp(-v / 100))
  with v the variance of the luma's 4-neighbour Laplacian (a blurred picture's v is near 0, a
  crisp photograph's several hundred).
* ``DominantColors``: k-means (k = ``MaxDominantColors``, AWS's default 10; k-means++ seeded
  with a fixed seed, so the same image gives the same answer) on the RGB pixels of the image
  scaled to at most 96 pixels on its longer side. Each cluster's mean colour is returned with
  the share of pixels nearest it (``PixelPercent``), largest first; ``CSSColor`` is the nearest
  (Euclidean RGB) CSS named colour of the table below, ``SimplifiedColor`` the nearest of
  eleven basic colours. Empty clusters are dropped.

``Foreground`` and ``Background`` are omitted: they need a segmentation model we do not have.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Shape = dict[str, Any]
DEFAULT_MAX_COLORS = 10
QUALITY_SIDE = 512
COLOR_SIDE = 96
KMEANS_ROUNDS = 20
SEED = 0

CSS_COLORS = {
    "black": (0, 0, 0), "white": (255, 255, 255), "gray": (128, 128, 128),
    "silver": (192, 192, 192), "dimgray": (105, 105, 105), "darkgray": (169, 169, 169),
    "lightgray": (211, 211, 211), "gainsboro": (220, 220, 220), "whitesmoke": (245, 245, 245),
    "slategray": (112, 128, 144), "darkslategray": (47, 79, 79), "maroon": (128, 0, 0),
    "darkred": (139, 0, 0), "red": (255, 0, 0), "firebrick": (178, 34, 34),
    "crimson": (220, 20, 60), "indianred": (205, 92, 92), "salmon": (250, 128, 114),
    "tomato": (255, 99, 71), "coral": (255, 127, 80), "orangered": (255, 69, 0),
    "darkorange": (255, 140, 0), "orange": (255, 165, 0), "gold": (255, 215, 0),
    "yellow": (255, 255, 0), "khaki": (240, 230, 140), "darkkhaki": (189, 183, 107),
    "beige": (245, 245, 220), "wheat": (245, 222, 179), "tan": (210, 180, 140),
    "burlywood": (222, 184, 135), "peru": (205, 133, 63), "chocolate": (210, 105, 30),
    "sienna": (160, 82, 45), "saddlebrown": (139, 69, 19), "brown": (165, 42, 42),
    "rosybrown": (188, 143, 143), "olive": (128, 128, 0), "olivedrab": (107, 142, 35),
    "darkolivegreen": (85, 107, 47), "green": (0, 128, 0), "darkgreen": (0, 100, 0),
    "forestgreen": (34, 139, 34), "seagreen": (46, 139, 87), "limegreen": (50, 205, 50),
    "lime": (0, 255, 0), "lightgreen": (144, 238, 144), "teal": (0, 128, 128),
    "darkcyan": (0, 139, 139), "cyan": (0, 255, 255), "turquoise": (64, 224, 208),
    "skyblue": (135, 206, 235), "lightblue": (173, 216, 230), "steelblue": (70, 130, 180),
    "royalblue": (65, 105, 225), "blue": (0, 0, 255), "navy": (0, 0, 128),
    "midnightblue": (25, 25, 112), "darkblue": (0, 0, 139), "slateblue": (106, 90, 205),
    "indigo": (75, 0, 130), "purple": (128, 0, 128), "darkviolet": (148, 0, 211),
    "orchid": (218, 112, 214), "violet": (238, 130, 238), "plum": (221, 160, 221),
    "magenta": (255, 0, 255), "pink": (255, 192, 203), "hotpink": (255, 105, 180),
    "deeppink": (255, 20, 147), "lavender": (230, 230, 250), "ivory": (255, 255, 240),
}  # fmt: skip
SIMPLIFIED_COLORS = {
    "black": (0, 0, 0), "white": (255, 255, 255), "grey": (128, 128, 128),
    "red": (220, 30, 30), "orange": (245, 140, 20), "yellow": (240, 220, 40),
    "green": (40, 160, 50), "blue": (30, 80, 220), "purple": (130, 40, 160),
    "pink": (245, 150, 190), "brown": (130, 80, 40),
}  # fmt: skip


def image_properties(rgb: npt.NDArray[np.uint8], max_colors: int = DEFAULT_MAX_COLORS) -> Shape:
    return {"Quality": quality(rgb), "DominantColors": dominant_colors(rgb, max_colors)}


def _scaled(rgb: npt.NDArray[np.uint8], side: int) -> npt.NDArray[np.float32]:
    from PIL import Image

    picture = Image.fromarray(rgb).convert("RGB")
    if max(picture.size) > side:
        scale = side / max(picture.size)
        size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
        picture = picture.resize(size, Image.Resampling.BILINEAR)
    return np.asarray(picture, dtype=np.float32)


def quality(rgb: npt.NDArray[np.uint8]) -> Shape:
    pixels = _scaled(rgb, QUALITY_SIDE)
    luma = pixels @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    laplacian = (
        luma[1:-1, :-2] + luma[1:-1, 2:] + luma[:-2, 1:-1] + luma[2:, 1:-1] - 4 * luma[1:-1, 1:-1]
    )
    variance = float(laplacian.var()) if laplacian.size else 0.0
    return {
        "Brightness": float(luma.mean()) / 255.0 * 100.0,
        "Sharpness": 100.0 * (1.0 - float(np.exp(-variance / 100.0))),
        "Contrast": min(100.0, float(luma.std()) / 127.5 * 100.0),
    }


def dominant_colors(rgb: npt.NDArray[np.uint8], k: int = DEFAULT_MAX_COLORS) -> list[Shape]:
    if k <= 0:
        return []
    points = _scaled(rgb, COLOR_SIDE).reshape(-1, 3).astype(np.float64)
    centres, nearest = _kmeans(points, min(k, len(points)))
    counts = np.bincount(nearest, minlength=len(centres))
    colors = []
    for centre, count in sorted(zip(centres, counts, strict=True), key=lambda c: -int(c[1])):
        if count == 0:
            continue
        red, green, blue = (round(float(v)) for v in np.clip(centre, 0, 255))
        colors.append(
            {
                "Red": red,
                "Green": green,
                "Blue": blue,
                "HexCode": f"#{red:02x}{green:02x}{blue:02x}",
                "CSSColor": _nearest(CSS_COLORS, (red, green, blue)),
                "SimplifiedColor": _nearest(SIMPLIFIED_COLORS, (red, green, blue)),
                "PixelPercent": 100.0 * int(count) / len(points),
            }
        )
    return colors


def _kmeans(
    points: npt.NDArray[np.float64], k: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    random = np.random.default_rng(SEED)
    centres = [points[random.integers(len(points))]]
    for _ in range(1, k):  # k-means++
        distance = np.min(((points[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
        total = float(distance.sum())
        if total == 0:
            break
        centres.append(points[random.choice(len(points), p=distance / total)])
    means = np.array(centres)
    nearest = np.zeros(len(points), dtype=np.intp)
    for _ in range(KMEANS_ROUNDS):
        nearest = ((points[:, None, :] - means[None]) ** 2).sum(-1).argmin(axis=1)
        moved = np.array(
            [
                points[nearest == n].mean(0) if (nearest == n).any() else means[n]
                for n in range(len(means))
            ]
        )
        if np.allclose(moved, means):
            break
        means = moved
    return means, nearest


def _nearest(table: dict[str, tuple[int, int, int]], color: tuple[int, int, int]) -> str:
    return min(
        table, key=lambda name: sum((a - b) ** 2 for a, b in zip(table[name], color, strict=True))
    )
