"""The shared face photos, read from ../shared/data/faces (tests skip when absent)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from tests.conftest import shared_data


def faces_dir() -> Path:
    return shared_data("faces")


def photo(relative: str) -> bytes:
    return (faces_dir() / relative).read_bytes()


def manifest() -> list[dict[str, str]]:
    with (faces_dir() / "manifest.csv").open() as handle:
        return list(csv.DictReader(handle))


def single_person_photos() -> dict[str, list[str]]:
    """identity -> distinct photos showing exactly that one person."""
    seen: set[str] = set()
    found: dict[str, list[str]] = defaultdict(list)
    for row in manifest():
        if row["expected_faces"] != "1" or not row["identity"] or "duplicate" in row["notes"]:
            continue
        if row["sha1"] in seen:
            continue
        seen.add(row["sha1"])
        found[row["identity"]].append(row["path"])
    return dict(found)


def no_face_photos() -> list[str]:
    return [row["path"] for row in manifest() if row["expected_faces"] == "0"]
