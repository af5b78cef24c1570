"""Amazon Forecast and Forecast Query: datasets, imports, predictors (DeepAR-style RNN, ETS,
ARIMA, NPTS, seasonal naive, AutoPredictor), forecasts, queries and exports.

Settings (``settings.forecast``; the CLI reads the same):
  SENSORIUM_FORECAST_DEEPAR_STEPS  gradient steps for the recurrent network (default 1000);
                                   a predictor's TrainingParameters "epochs" overrides it
  SENSORIUM_FORECAST_DEVICE        "cuda" to train it on the GPU (default "cpu": faster for
                                   this small network, measured)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sensorium.components import Components
from sensorium.config import Settings
from sensorium.models.weights import PackagedWeights, Weights

if TYPE_CHECKING:
    from sensorium.services.forecast.service import ForecastService

SERVICES = ("forecast", "forecastquery")
STATSMODELS = PackagedWeights("statsmodels", "statsmodels", "forecast")


def requires(settings: Settings) -> list[Weights]:
    return [STATSMODELS]


def install(components: Components) -> ForecastService:
    from sensorium.models.forecasting.algorithms import training_device
    from sensorium.services.forecast import handlers, jobs
    from sensorium.services.forecast.errors import ERRORS
    from sensorium.services.forecast.service import ForecastService

    settings = components.settings.forecast
    components.operations.declare(SERVICES, ERRORS)
    bench = jobs.Workbench(
        components.database,
        components.blobs,
        training_device(settings.device),
        settings.deepar_steps,
    )
    jobs.register(components.jobs, bench, gpu=settings.device == "cuda")
    service = ForecastService(
        components.database, components.jobs, components.paginator(ERRORS), components.blobs
    )
    handlers.register(components.operations, service)
    return service
