"""Panel grouping by forecast dimensions and its storage encoding."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sensorium.services.forecast.panel import Panel

NAN = np.nan
DAY = dt.datetime(2022, 1, 1)


def stores() -> Panel:
    return Panel(
        "H",
        ["a", "a", "b"],
        [DAY, DAY + dt.timedelta(hours=1), DAY],
        [np.array([1.0, NAN, 3.0]), np.array([NAN, 20.0, 30.0]), np.array([5.0])],
        {"store": ["n", "s", "n"], "region": ["x", "x", "y"]},
    )


def test_grouping_sums_series_step_by_step() -> None:
    grouped = stores().grouped(["region"])
    assert grouped.items == ["a", "b"]
    assert grouped.dimensions == {"region": ["x", "y"]}
    assert grouped.starts == [DAY, DAY]
    # a/n covers hours 0-2, a/s hours 1-3; hour 1 is missing in both and stays missing.
    np.testing.assert_array_equal(grouped.values[0], [1.0, NAN, 23.0, 30.0])
    by_item = stores().grouped([])
    assert by_item.dimensions == {} and by_item.key(1) == ("b",)


def test_grouping_refuses_series_off_one_grid() -> None:
    panel = stores()
    panel.starts[1] = DAY + dt.timedelta(minutes=30)
    with pytest.raises(ValueError, match="not on one H grid"):
        panel.grouped([])


def test_dimensions_survive_storage() -> None:
    panel = stores()
    again = Panel.from_bytes(panel.to_bytes())
    assert again.dimensions == panel.dimensions
    assert [again.key(i) for i in range(3)] == [("a", "n", "x"), ("a", "s", "x"), ("b", "n", "y")]
    plain = Panel("H", ["a"], [DAY], [np.array([1.0])])
    assert Panel.from_bytes(plain.to_bytes()).dimensions == {}


def test_grouping_refuses_series_spanning_too_long() -> None:
    panel = stores()
    panel.starts[1] = DAY + dt.timedelta(hours=1_000_000)
    with pytest.raises(ValueError, match="at most 1000000"):
        panel.grouped([])
