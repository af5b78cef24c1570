"""The forecasting algorithms by Amazon Forecast's algorithm names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from sensorium.models.forecasting.baselines import NPTS, SeasonalNaive
from sensorium.models.forecasting.prediction import Array, Prediction, average


class Forecaster(Protocol):
    name: str

    def forecast(
        self,
        histories: list[Array],
        horizon: int,
        season: int,
        seed: int = 0,
        covariates: list[Array] | None = None,
    ) -> list[Prediction]:
        """``covariates``: per series, related values (len(history) + horizon, features);
        as in Amazon Forecast, only Deep_AR_Plus uses them."""
        ...


ALGORITHMS = ("Deep_AR_Plus", "ETS", "ARIMA", "NPTS", "Seasonal_Naive")
GLOBAL_ALGORITHMS = frozenset({"Deep_AR_Plus"})  # trained across all series at once


def training_device(requested: str) -> str:
    """Where the recurrent network trains: the CPU unless "cuda" is requested (the service
    passes ``settings.forecast.device``) and CUDA is there. Measured on an H200 machine
    (bench/gpu_check.py), the default network (2 x 32 GRU, batch 32, one step at a time
    through the rollout) trained 1.4x slower on the GPU than on two of its CPU cores, with the
    same accuracy: launch and copy overheads dominate."""
    if requested != "cuda":
        return "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


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


def forecast_plan(
    plan: Sequence[tuple[str, ...]],
    histories: list[Array],
    horizon: int,
    season: int,
    factory: Callable[[str], Forecaster],
    covariates: list[Array] | None = None,
) -> list[Prediction]:
    """Each item forecast by its planned algorithm(s), averaged where there are two.
    Per-series algorithms run only on the items that use them; global ones see every item."""
    needed: dict[str, list[int]] = {}
    for item, names in enumerate(plan):
        for name in names:
            needed.setdefault(name, []).append(item)
    forecasts: dict[str, dict[int, Prediction]] = {}
    for name, items in needed.items():
        subset = list(range(len(histories))) if name in GLOBAL_ALGORITHMS else items
        related = None if covariates is None else [covariates[i] for i in subset]
        predictions = factory(name).forecast(
            [histories[i] for i in subset], horizon, season, covariates=related
        )
        forecasts[name] = dict(zip(subset, predictions, strict=True))
    return [average([forecasts[name][item] for name in names]) for item, names in enumerate(plan)]
