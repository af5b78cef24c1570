"""Forecasting a per-item plan: per-series algorithms see only their items."""

from __future__ import annotations

import numpy as np

from sensorium.models.forecasting.algorithms import Forecaster, forecast_plan
from sensorium.models.forecasting.prediction import Array, Prediction, from_gaussian


class Constant:
    """Forecasts a constant and records which series it was given."""

    def __init__(self, name: str, value: float) -> None:
        self.name = name
        self.value = value
        self.seen: list[list[float]] = []

    def forecast(
        self,
        histories: list[Array],
        horizon: int,
        season: int,
        seed: int = 0,
        covariates: list[Array] | None = None,
    ) -> list[Prediction]:
        self.seen = [list(h) for h in histories]
        return [from_gaussian(np.full(horizon, self.value), np.ones(horizon)) for _ in histories]


def test_plan_forecasts_each_item_with_its_algorithms() -> None:
    histories = [np.array([float(i)] * 5) for i in range(3)]
    made: dict[str, Constant] = {}

    def factory(name: str) -> Forecaster:
        made[name] = Constant(name, {"ETS": 1.0, "NPTS": 3.0, "Deep_AR_Plus": 10.0}[name])
        return made[name]

    plan = [("ETS",), ("ETS", "NPTS"), ("Deep_AR_Plus",)]
    predictions = forecast_plan(plan, histories, 2, 1, factory)
    assert [float(p.mean[0]) for p in predictions] == [1.0, 2.0, 10.0]
    assert made["ETS"].seen == [[0.0] * 5, [1.0] * 5]  # only its items
    assert made["NPTS"].seen == [[1.0] * 5]
    assert len(made["Deep_AR_Plus"].seen) == 3  # a global model trains on every series
