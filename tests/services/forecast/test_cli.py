"""``sensorium forecast FILE.csv --horizon H`` (the command function, wired into sensorium.cli)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import torch

from sensorium.services.forecast.cli import add_arguments, forecast_command
from tests.services.forecast.conftest import long_csv, m4_series


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return forecast_command(parser.parse_args(list(argv)))


def test_forecast_csv_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    torch.set_num_threads(1)
    train, test = m4_series("Hourly", 2)
    data = tmp_path / "series.csv"
    data.write_text(long_csv([s[-240:] for s in train], dt.timedelta(hours=1)))
    plot = tmp_path / "plot.png"
    assert run(str(data), "--horizon", "24", "--algorithm", "ETS", "--plot", str(plot)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "item_id,date,p10,p50,p90" and len(lines) == 1 + 2 * 24
    values = np.array([[float(v) for v in line.split(",")[2:]] for line in lines[1:]])
    assert np.all(values[:, 0] <= values[:, 1]) and np.all(values[:, 1] <= values[:, 2])
    p50 = values[:24, 1]
    assert np.mean(np.abs(p50 - test[0][:24])) / np.mean(test[0][:24]) < 0.3
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_auto_chooses_per_item_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    torch.set_num_threads(1)
    monkeypatch.setenv("SENSORIUM_FORECAST_DEEPAR_STEPS", "40")
    train, _ = m4_series("Hourly", 3)
    data = tmp_path / "series.csv"
    data.write_text(long_csv([s[-240:] for s in train], dt.timedelta(hours=1)))
    assert run(str(data), "--horizon", "24") == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("Chose ")
    assert "AverageWeightedQuantileLoss" in captured.err
    lines = captured.out.splitlines()
    assert len(lines) == 1 + 3 * 24
    assert {line.split(",")[0] for line in lines[1:]} == {"item_0", "item_1", "item_2"}


def test_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(tmp_path / "none.csv"), "--horizon", "3") == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("2020-01-01,1\n2020-01-02,x\n")
    assert run(str(bad), "--horizon", "1") == 1
    assert "not a number" in capsys.readouterr().err
