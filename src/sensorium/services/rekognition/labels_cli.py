"""``sensorium image labels IMAGE [--json] [--draw OUT.png]``: DetectLabels in-process, offline.

The same decoding, models and answer as the server's DetectLabels (default MinConfidence 55),
without a server: prints each label and its confidence (``--json``: the whole answer), and
with ``--draw`` writes a copy of the image with the instances' boxes and the top labels.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sensorium.models.registry import best_device

BOX_COLOUR = (220, 30, 30)
DRAWN_LABELS = 10


def add_labels_command(images: Any) -> None:
    labels = images.add_parser("labels", help="what an image shows, as labels (DetectLabels)")
    labels.add_argument("image", type=Path, help="JPEG or PNG")
    labels.add_argument("--json", action="store_true", help="print DetectLabels' whole answer")
    labels.add_argument("--draw", type=Path, metavar="OUT.png", help="draw boxes and labels")
    labels.set_defaults(run=labels_command)


def labels_command(args: argparse.Namespace) -> int:
    from sensorium.models.faces import UnsupportedImageError, load_image
    from sensorium.models.labels import LABEL_MODEL_VERSION, LabelEngine, load_taxonomy
    from sensorium.services.rekognition.engine import FaceEngine
    from sensorium.services.rekognition.labels import labels

    path: Path = args.image
    try:
        loaded = load_image(path.read_bytes())
    except OSError as error:
        print(f"sensorium: {path}: {error.strerror or error}", file=sys.stderr)
        return 1
    except UnsupportedImageError as error:
        print(f"sensorium: {path}: {error}", file=sys.stderr)
        return 1
    device = best_device()
    engine = LabelEngine()
    engine.load(device)
    faces = FaceEngine(None)
    faces.load(device)
    scored = load_taxonomy().score(engine.classify(loaded.rgb))
    found = labels(scored, faces.analyze(loaded.rgb, embed=False), loaded.width, loaded.height)
    if args.json:
        print(json.dumps({"Labels": found, "LabelModelVersion": LABEL_MODEL_VERSION}, indent=2))
    else:
        for label in found:
            print(f"{label['Confidence']:6.1f}  {label['Name']}")
    if args.draw:
        draw(loaded.rgb, found, args.draw)
    return 0


def draw(rgb: Any, found: list[dict[str, Any]], out: Path) -> None:
    """The image with every instance's box (its label and confidence above it) and the top
    labels listed in its top-left corner."""
    from PIL import Image, ImageDraw, ImageFont

    picture = Image.fromarray(rgb).convert("RGB")
    width, height = picture.size
    font = ImageFont.load_default(size=max(12, min(width, height) // 30))
    pen = ImageDraw.Draw(picture)
    for label in found:
        for instance in label["Instances"]:
            box = instance["BoundingBox"]
            left, top = box["Left"] * width, box["Top"] * height
            right, bottom = left + box["Width"] * width, top + box["Height"] * height
            pen.rectangle((left, top, right, bottom), outline=BOX_COLOUR, width=3)
            tag = f"{label['Name']} {instance['Confidence']:.0f} %"
            pen.text((left, top - 2), tag, fill=BOX_COLOUR, font=font, anchor="lb")
    lines = [f"{label['Name']}  {label['Confidence']:.0f} %" for label in found[:DRAWN_LABELS]]
    if lines:
        text = "\n".join(lines)
        bounds = pen.multiline_textbbox((8, 8), text, font=font)
        pen.rectangle((bounds[0] - 4, bounds[1] - 4, bounds[2] + 4, bounds[3] + 4), fill=(0, 0, 0))
        pen.multiline_text((8, 8), text, fill=(255, 255, 255), font=font)
    out.parent.mkdir(parents=True, exist_ok=True)
    picture.save(out)
