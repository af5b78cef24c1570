"""ETS and ARIMA, fitted per series with statsmodels (state-space models, Gaussian bands).

statsmodels ships no type information; it is reached through ``importlib`` so that strict
type checking holds at this boundary.
"""

from __future__ import annotations

import importlib
import logging
import warnings
from typing import Any

import numpy as np

from sensorium.models.forecasting.local import LocalForecaster
from sensorium.models.forecasting.prediction import Array, Prediction, from_gaussian

log = logging.getLogger(__name__)

MAX_HISTORY = 600  # ETS and ARIMA see at most this many recent points (speed; M4 does similar)


def _statsmodels(module: str) -> Any:
    return importlib.import_module(f"statsmodels.{module}")


def is_seasonal(history: Array, season: int) -> bool:
    """M4's 90% autocorrelation test for seasonality at lag ``season``."""
    if season <= 1 or len(history) < 3 * season:
        return False
    centred = history - history.mean()
    denominator = float(np.dot(centred, centred))
    if denominator == 0:
        return False
    acf = np.array(
        [np.dot(centred[: -lag or None], centred[lag:]) / denominator for lag in range(season + 1)]
    )
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(acf[1:season] ** 2)) / len(history))
    return bool(abs(acf[season]) > limit)


def seasonal_indices(history: Array, season: int) -> Array:
    """Classical multiplicative decomposition: one index per phase, mean 1 (phase 0 = first
    point of ``history``)."""
    kernel = np.ones(season + 1) / season
    kernel[0] = kernel[-1] = 0.5 / season
    if season % 2:
        kernel = np.ones(season) / season
    trend = np.convolve(history, kernel, mode="same")
    half = len(kernel) // 2
    valid = np.zeros(len(history), dtype=bool)
    valid[half : len(history) - half] = True
    ratios = np.where(valid & (trend != 0), history / np.where(trend == 0, 1, trend), np.nan)
    phases = np.arange(len(history)) % season
    indices = np.array([np.nanmean(ratios[phases == phase]) for phase in range(season)])
    indices = np.nan_to_num(indices, nan=1.0)
    return np.asarray(indices / indices.mean(), dtype=np.float64)


class Deseasonalised:
    """A series with its multiplicative seasonal pattern taken out (when the M4 test finds one
    and the series is positive), and the indices to put it back over the horizon."""

    def __init__(self, history: Array, horizon: int, season: int) -> None:
        if bool(np.all(history > 0)) and is_seasonal(history, season):
            indices = seasonal_indices(history, season)
            phases = np.arange(len(history) + horizon) % season
            self.adjusted = history / indices[phases[: len(history)]]
            self.future = indices[phases[len(history) :]]
        else:
            self.adjusted, self.future = history, np.ones(horizon)

    def reseasonalise(self, mean: Array, std: Array) -> Prediction:
        return from_gaussian(mean * self.future, std * self.future)


class ETS(LocalForecaster):
    """Additive-error ETS with no trend or a damped trend, chosen per series by AICc, on the
    seasonally adjusted series (M4's benchmark treatment of seasonality)."""

    name = "ETS"

    def _one(self, history: Array, horizon: int, season: int) -> Prediction:
        history = history[-MAX_HISTORY:]
        ets = _statsmodels("tsa.exponential_smoothing.ets")
        series = Deseasonalised(history, horizon, season)
        # statsmodels' ETS prediction needs an indexed series (plain arrays fail in 0.15).
        endog = importlib.import_module("pandas").Series(series.adjusted)
        best: Any = None
        for trend in (None, "add"):
            model = ets.ETSModel(endog, error="add", trend=trend, damped_trend=trend is not None)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fitted = model.fit(disp=False, maxiter=200)
            except (ValueError, np.linalg.LinAlgError) as error:
                log.debug("ETS candidate failed: %s", error)
                continue
            if np.isfinite(fitted.aicc) and (best is None or fitted.aicc < best.aicc):
                best = fitted
        if best is None:
            return _flat(history, horizon)
        n = len(history)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prediction = best.get_prediction(start=n, end=n + horizon - 1)
            mean = np.asarray(prediction.predicted_mean, dtype=np.float64)
            variance = np.asarray(prediction.var_pred_mean, dtype=np.float64)
        return series.reseasonalise(mean, np.sqrt(np.maximum(variance, 0.0)))


class ARIMA(LocalForecaster):
    """ARIMA(p,1,q) chosen per series by AIC over a small grid, on the seasonally adjusted
    series (classical decomposition, as the M4 statistical benchmarks do), reseasonalised."""

    name = "ARIMA"
    ORDERS = ((0, 1, 1), (1, 1, 0), (1, 1, 1))
    HISTORY = 300  # state-space ARIMA fits grow with length; recent history suffices

    def _one(self, history: Array, horizon: int, season: int) -> Prediction:
        arima = _statsmodels("tsa.arima.model")
        series = Deseasonalised(history[-MAX_HISTORY:], horizon, season)
        adjusted = series.adjusted[-self.HISTORY :]
        best: Any = None
        for order in self.ORDERS:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fitted = arima.ARIMA(adjusted, order=order).fit()
            except (ValueError, np.linalg.LinAlgError) as error:
                log.debug("ARIMA%s failed: %s", order, error)
                continue
            if np.isfinite(fitted.aic) and (best is None or fitted.aic < best.aic):
                best = fitted
        if best is None:
            return _flat(history, horizon)
        result = best.get_forecast(horizon)
        mean = np.asarray(result.predicted_mean, dtype=np.float64)
        return series.reseasonalise(mean, np.asarray(result.se_mean, dtype=np.float64))


def _flat(history: Array, horizon: int) -> Prediction:
    """The fallback when no candidate model fits: last value, spread of the history."""
    spread = float(np.std(history)) if len(history) > 1 else 0.0
    return from_gaussian(np.full(horizon, float(history[-1])), np.full(horizon, spread))
