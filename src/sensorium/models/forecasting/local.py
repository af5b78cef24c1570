"""The shape shared by the per-series ("local") forecasters."""

from __future__ import annotations

from sensorium.models.forecasting.prediction import Array, Prediction


class LocalForecaster:
    """Forecasts each series on its own history alone. Related series are not used, as in
    Amazon Forecast's local algorithms (ETS, ARIMA, NPTS)."""

    name: str

    def forecast(
        self,
        histories: list[Array],
        horizon: int,
        season: int,
        seed: int = 0,
        covariates: list[Array] | None = None,
    ) -> list[Prediction]:
        return [self._one(history, horizon, season) for history in histories]

    def _one(self, history: Array, horizon: int, season: int) -> Prediction:
        raise NotImplementedError
