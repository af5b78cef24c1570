"""A real browser for the console's tests: Playwright driving the system's Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import ROOT

SCREENSHOTS = ROOT / "docs" / "console"
# A screenshot is rewritten only when it looks different: fonts anti-alias a few pixels
# differently from run to run, and a file rewritten on every run would be noise in git.
CHANGED_PIXELS = 0.0002
PIXEL_TOLERANCE = 16


def chromium_path() -> str:
    found = os.environ.get("SENSORIUM_CHROMIUM") or shutil.which("chromium")
    if found:
        return found
    message = "chromium not found (`apt-get install chromium`; `make test` installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)  # CI installs it: a missing browser there is a broken setup
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            # As root (CI runs as root) Chromium refuses to start with its sandbox.
            args=["--no-sandbox", "--disable-gpu"],
        )
        yield launched
        launched.close()


def save_screenshot(name: str, png: bytes) -> Path:
    """Writes docs/console/``name`` unless the file there already shows the same picture."""
    path = SCREENSHOTS / name
    if path.exists() and not _looks_different(Image.open(path), Image.open(BytesIO(png))):
        return path
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return path


def _looks_different(old: Image.Image, new: Image.Image) -> bool:
    if old.size != new.size:
        return True
    difference = ImageChops.difference(old.convert("RGB"), new.convert("RGB")).convert("L")
    changed = sum(difference.histogram()[PIXEL_TOLERANCE + 1 :])
    return changed > CHANGED_PIXELS * new.width * new.height
