"""The forecasting algorithms by Amazon Forecast's algorithm names."""

from __future__ import annotations

from typing import Protocol

from sensorium.models.forecasting.baselines import NPTS, SeasonalNaive
from sensorium.models.forecasting.prediction import Array, Prediction


class Forecaster(Protocol):
    name: str

    def forecast(
        self, histories: list[Array], horizon: int, season: int, seed: int = 0
    ) -> list[Prediction]: ...


ALGORITHMS = ("Deep_AR_Plus", "ETS", "ARIMA", "NPTS", "Seasonal_Naive")


def make(name: str, device: str = "cpu", training_steps: int | None = None) -> Forecaster:
    """A fresh forecaster; statsmodels and torch are imported only when one needs them."""
    if name == "Seasonal_Naive":
        return SeasonalNaive()
    if name == "NPTS":
        return NPTS()
    if name in ("ETS", "ARIMA"):
        from sensorium.models.forecasting import statistical

        return statistical.ETS() if name == "ETS" else statistical.ARIMA()
    if name == "Deep_AR_Plus":
        from sensorium.models.forecasting.deepar import DeepAR, DeepARConfig

        config = DeepARConfig(device=device)
        if training_steps is not None:
            config = DeepARConfig(device=device, steps=training_steps)
        return DeepAR(config)
    raise KeyError(name)
