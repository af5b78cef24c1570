"""DetectText's reading (PP-OCR) against Tesseract: character error rate and word recall.

Ground truth is in ``bench/data/ocr_ground_truth.json``: two photos from the shared data
(a photographed book page, a motorcycle with badges), transcribed by eye, and two short texts
rendered with Pillow at several sizes, angles and fonts (exact by construction). Both engines
read the same PNG bytes in the same run, taking turns image by image:

* sensorium: the image decoded as the server decodes it, PP-OCR (``TextEngine``) and
  DetectText's answer (``text_detections``, no filters) — its LINE texts in their order give
  the text, its WORD entries the words;
* tesseract: the ``tesseract`` binary (``apt-get install tesseract-ocr``), English, default
  page segmentation, its text output; words split at white space.

CER: Levenshtein distance between the reference lines and the read lines (each joined by
single spaces) over the reference's length, summed over a group's images. Word recall: the
reference's words found among the words read (as a multiset, exact, case and punctuation
included). Time: wall clock of one reading, the model already loaded, median of a group.

Usage: ``python -m bench.ocr [--only page,sizes,...]``; prints markdown tables.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from sensorium.models.faces import load_image
from sensorium.models.ocr import TextEngine
from sensorium.services.rekognition.text import text_detections

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
TRUTH = ROOT / "bench" / "data" / "ocr_ground_truth.json"
FONTS = Path("/usr/share/fonts/truetype/dejavu")


@dataclass
class Case:
    group: str
    name: str
    png: bytes
    lines: list[str]


@dataclass
class Score:
    edits: int = 0
    chars: int = 0
    found: int = 0
    words: int = 0
    seconds: list[float] = field(default_factory=list)

    def add(self, reference: list[str], lines: list[str], words: list[str], took: float) -> None:
        truth, read = " ".join(reference), " ".join(" ".join(lines).split())
        self.edits += levenshtein(truth, read)
        self.chars += len(truth)
        wanted = Counter(truth.split())
        self.found += sum((wanted & Counter(words)).values())
        self.words += sum(wanted.values())
        self.seconds.append(took)

    def row(self) -> str:
        cer = self.edits / self.chars if self.chars else 0.0
        recall = self.found / self.words if self.words else 0.0
        ms = statistics.median(self.seconds) * 1000 if self.seconds else 0.0
        return f"{cer:.1%} | {self.found}/{self.words} = {recall:.1%} | {ms:.0f}"


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def render(lines: list[str], font_name: str, size: int, angle: float) -> bytes | None:
    if font_name == "pillow-default":
        font: Any = ImageFont.load_default(size=size)
    else:
        path = FONTS / font_name
        if not path.is_file():
            return None
        font = ImageFont.truetype(str(path), size)
    margin, step = max(20, size), round(size * 1.5)
    width = max(round(font.getlength(text)) for text in lines) + 2 * margin
    page = Image.new("RGB", (width, step * len(lines) + 2 * margin), "white")
    pen = ImageDraw.Draw(page)
    for number, text in enumerate(lines):
        pen.text((margin, margin + number * step), text, fill="black", font=font)
    if angle:
        page = page.rotate(angle, expand=True, fillcolor="white", resample=Image.Resampling.BICUBIC)
    # Rekognition's smallest image is 80 px a side: pad small renderings.
    if min(page.size) < 80:
        padded = Image.new("RGB", (max(page.width, 80), max(page.height, 80)), "white")
        padded.paste(page, (0, 0))
        page = padded
    out = io.BytesIO()
    page.save(out, "PNG")
    return out.getvalue()


def cases(truth: dict[str, Any]) -> list[Case]:
    found = [
        Case("photos", photo["name"], (SHARED / photo["path"]).read_bytes(), photo["lines"])
        for photo in truth["photos"]
        if (SHARED / photo["path"]).is_file()
    ]
    plan = truth["rendered"]
    wanted: list[tuple[str, str, str, int, float]] = []
    for size in plan["sizes"]["sizes"]:
        wanted.append(("sizes", f"{size} px", plan["sizes"]["font"], size, plan["sizes"]["angle"]))
    for angle in plan["angles"]["angles"]:
        wanted.append(
            ("angles", f"{angle}°", plan["angles"]["font"], plan["angles"]["size"], angle)
        )
    for font in plan["fonts"]["fonts"]:
        wanted.append(("fonts", font, font, plan["fonts"]["size"], plan["fonts"]["angle"]))
    for group, label, font, size, angle in wanted:
        for text_name, lines in truth["texts"].items():
            png = render(lines, font, size, angle)
            if png is not None:
                found.append(Case(group, f"{label} / {text_name}", png, lines))
    return found


def sensorium_reads(engine: TextEngine, png: bytes) -> tuple[list[str], list[str], float]:
    started = time.perf_counter()
    image = load_image(png)
    detections = text_detections(engine.read(image.rgb), image.width, image.height)
    took = time.perf_counter() - started
    lines = [d["DetectedText"] for d in detections if d["Type"] == "LINE"]
    words = [d["DetectedText"] for d in detections if d["Type"] == "WORD"]
    return lines, words, took


def tesseract_reads(png: bytes) -> tuple[list[str], list[str], float]:
    with tempfile.NamedTemporaryFile(suffix=".png") as handle:
        handle.write(png)
        handle.flush()
        started = time.perf_counter()
        done = subprocess.run(
            ["tesseract", handle.name, "stdout", "-l", "eng"],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        took = time.perf_counter() - started
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    return lines, " ".join(lines).split(), took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="groups: photos,sizes,angles,fonts")
    parser.add_argument("--show", action="store_true", help="print every reading")
    args = parser.parse_args()
    truth = json.loads(TRUTH.read_text())
    groups = {g for g in args.only.split(",") if g}
    todo = [case for case in cases(truth) if not groups or case.group in groups]
    tesseract = shutil.which("tesseract") is not None
    if not tesseract:
        print("tesseract not found (apt-get install tesseract-ocr): PP-OCR only")
    engine = TextEngine()
    engine.load("cpu")
    sensorium_reads(engine, todo[0].png)  # first-call costs out of the measurement
    ours: dict[str, Score] = {}
    theirs: dict[str, Score] = {}
    per_image: list[str] = []
    for case in todo:
        lines, words, took = sensorium_reads(engine, case.png)
        ours.setdefault(case.group, Score()).add(case.lines, lines, words, took)
        one = Score()
        one.add(case.lines, lines, words, took)
        row = f"| {case.group} | {case.name} | {one.row()} |"
        if tesseract:
            t_lines, t_words, t_took = tesseract_reads(case.png)
            theirs.setdefault(case.group, Score()).add(case.lines, t_lines, t_words, t_took)
            other = Score()
            other.add(case.lines, t_lines, t_words, t_took)
            row += f" {other.row()} |"
            if args.show:
                print(case.name, "| tesseract:", " / ".join(t_lines))
        if args.show:
            print(case.name, "| sensorium:", " / ".join(lines))
        per_image.append(row)
    header = "| group | images | sensorium CER | sensorium word recall | sensorium ms |"
    rule = "|---|---|---|---|---|"
    if tesseract:
        header += " tesseract CER | tesseract word recall | tesseract ms |"
        rule += "---|---|---|"
    print(header)
    print(rule)
    total_ours, total_theirs = Score(), Score()
    for group, score in ours.items():
        count = len(score.seconds)
        line = f"| {group} | {count} | {score.row()} |"
        _merge(total_ours, score)
        if tesseract:
            line += f" {theirs[group].row()} |"
            _merge(total_theirs, theirs[group])
        print(line)
    line = f"| all | {len(total_ours.seconds)} | {total_ours.row()} |"
    if tesseract:
        line += f" {total_theirs.row()} |"
    print(line)
    print()
    detail = "| group | image | sensorium CER | sensorium word recall | sensorium ms |"
    if tesseract:
        detail += " tesseract CER | tesseract word recall | tesseract ms |"
    print(detail)
    print(rule)
    print("\n".join(per_image))


def _merge(total: Score, part: Score) -> None:
    total.edits += part.edits
    total.chars += part.chars
    total.found += part.found
    total.words += part.words
    total.seconds.extend(part.seconds)


if __name__ == "__main__":
    main()
