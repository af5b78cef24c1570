"""One settings object: every SENSORIUM_* variable is read through it, and the README's
configuration table lists exactly those."""

from __future__ import annotations

import re

import pytest

from sensorium.config import Settings, environment_names
from tests.conftest import ROOT

VARIABLE = re.compile(r"SENSORIUM_[A-Z0-9_]+")


def readme_table() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## Configuration")
    return text[start : text.index("\n## ", start + 1)]


def test_the_readme_lists_every_setting() -> None:
    table = readme_table()
    missing = [name for name in environment_names() if name not in table]
    assert not missing, f"settings missing from the README's configuration table: {missing}"


def test_the_readme_names_no_setting_that_does_not_exist() -> None:
    known = {
        name for primary, aliases in environment_names().items() for name in [primary, *aliases]
    }
    unknown = set(VARIABLE.findall((ROOT / "README.md").read_text())) - known
    assert not unknown, f"the README names variables no setting reads: {sorted(unknown)}"


def test_no_module_reads_sensorium_variables_itself() -> None:
    offenders = []
    for path in (ROOT / "src" / "sensorium").rglob("*.py"):
        if path.name == "config.py":
            continue
        text = path.read_text()
        if re.search(r"(os\.environ|getenv)[^\n]*SENSORIUM_", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


def test_variables_reach_their_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENSORIUM_S3_ENDPOINT", "http://minio:9000")
    monkeypatch.setenv("SENSORIUM_WORKERS", "3")  # an older name, still accepted
    monkeypatch.setenv("SENSORIUM_FORECAST_DEVICE", "cuda")
    settings = Settings()
    assert settings.s3.endpoint == "http://minio:9000"
    assert settings.jobs.workers == 3
    assert settings.forecast.device == "cuda"
    assert settings.with_overrides(**{"s3.endpoint": "http://other"}).s3.endpoint == "http://other"


def test_a_wrong_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENSORIUM_FORECAST_DEVICE", "tpu")
    with pytest.raises(ValueError):
        Settings()
