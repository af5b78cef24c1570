"""``sensorium image text IMAGE [--json] [--draw OUT.png]``: DetectText in-process, offline.

The same image decoding, model and answer as the server's DetectText, without a server: prints
the lines (``--json``: the whole DetectText answer), and with ``--draw`` writes a copy of the
image with every line's polygon, its words' polygons and the text read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sensorium.models.registry import best_device

LINE_COLOUR = (220, 30, 30)
WORD_COLOUR = (20, 150, 40)
MIN_DRAWN_SIDE = 1000


def add_commands(commands: Any) -> None:
    image = commands.add_parser("image", help="read images offline (what Rekognition answers)")
    sub = image.add_subparsers(dest="image_command", required=True)
    text = sub.add_parser("text", help="the lines and words of text in an image (DetectText)")
    text.add_argument("image", type=Path, help="JPEG or PNG")
    text.add_argument("--json", action="store_true", help="print DetectText's whole answer")
    text.add_argument("--draw", type=Path, metavar="OUT.png", help="draw what was read")
    text.set_defaults(run=text_command)
    from sensorium.services.rekognition.labels_cli import add_labels_command

    add_labels_command(sub)


def text_command(args: argparse.Namespace) -> int:
    from sensorium.models.faces import UnsupportedImageError, load_image
    from sensorium.models.ocr import TextEngine
    from sensorium.services.rekognition.text import text_detections

    path: Path = args.image
    try:
        loaded = load_image(path.read_bytes())
    except OSError as error:
        print(f"sensorium: {path}: {error.strerror or error}", file=sys.stderr)
        return 1
    except UnsupportedImageError as error:
        print(f"sensorium: {path}: {error}", file=sys.stderr)
        return 1
    engine = TextEngine()
    engine.load(best_device())
    lines = engine.read(loaded.rgb)
    detections = text_detections(lines, loaded.width, loaded.height)
    if args.json:
        answer = {"TextDetections": detections, "TextModelVersion": engine.model_version}
        print(json.dumps(answer, ensure_ascii=False, indent=2))
    else:
        for detection in detections:
            if detection["Type"] == "LINE":
                print(detection["DetectedText"])
    if args.draw:
        draw(loaded.rgb, detections, args.draw)
    return 0


def draw(rgb: Any, detections: list[dict[str, Any]], out: Path) -> None:
    """The image (enlarged to at least ``MIN_DRAWN_SIDE`` on its longer side) with each
    detection's polygon, lines red and words green, each line numbered at its first corner
    (the text's top-left); beside it, each line's number, text and confidence."""
    from PIL import Image, ImageDraw, ImageFont

    picture = Image.fromarray(rgb).convert("RGB")
    scale = max(1.0, MIN_DRAWN_SIDE / max(picture.size))
    if scale > 1:
        size = (round(picture.width * scale), round(picture.height * scale))
        picture = picture.resize(size, Image.Resampling.LANCZOS)
    width, height = picture.size
    font = ImageFont.load_default(size=18)
    lines = [d for d in detections if d["Type"] == "LINE"]
    labels = [f"{n}  {d['DetectedText']}  ({d['Confidence']:.0f} %)" for n, d in enumerate(lines)]
    measure = ImageDraw.Draw(picture)
    panel = max([measure.textlength(label, font=font) for label in labels] or [0.0])
    canvas = Image.new("RGB", (width + round(panel) + 30, max(height, 24 * len(lines) + 20)))
    canvas.paste((255, 255, 255), (0, 0, *canvas.size))
    canvas.paste(picture, (0, 0))
    pen = ImageDraw.Draw(canvas)
    for detection in sorted(detections, key=lambda d: d["Type"] == "LINE"):  # lines on top
        points = [(p["X"] * width, p["Y"] * height) for p in detection["Geometry"]["Polygon"]]
        line = detection["Type"] == "LINE"
        pen.polygon(points, outline=LINE_COLOUR if line else WORD_COLOUR, width=2 if line else 1)
    for number, detection in enumerate(lines):
        first = detection["Geometry"]["Polygon"][0]
        x, y = first["X"] * width, first["Y"] * height
        tag = str(number)
        box = pen.textbbox((x, y), tag, font=font, anchor="rb")
        pen.rectangle(box, fill=LINE_COLOUR)
        pen.text((x, y), tag, fill=(255, 255, 255), font=font, anchor="rb")
        pen.text((width + 15, 10 + 24 * number), labels[number], fill=(0, 0, 0), font=font)
    out.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(out)
