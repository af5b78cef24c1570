"""Amazon Forecast and Forecast Query: datasets, imports, predictors (DeepAR-style RNN, ETS,
ARIMA, NPTS, seasonal naive, AutoPredictor), forecasts, queries and exports.

Configuration (environment):
  SENSORIUM_FORECAST_DEEPAR_STEPS  gradient steps for the recurrent network (default 1000; the
                                   CLI too);
                                   a predictor's TrainingParameters "epochs" overrides it
  SENSORIUM_FORECAST_DEVICE        "cuda" to train it on the GPU (default "cpu": faster for
                                   this small network, measured)
"""

from __future__ import annotations

from sensorium.components import Components


def install(components: Components) -> None:
    from sensorium.models.forecasting.algorithms import training_device
    from sensorium.services.forecast import handlers
    from sensorium.services.forecast.jobs import JobRunner
    from sensorium.services.forecast.service import ForecastService

    def submit(resource_id: int) -> None:
        components.jobs.submit(runner.run, resource_id)

    runner = JobRunner(components.database, components.blobs, submit, training_device())
    service = ForecastService(components.database, submit)
    handlers.register(components.operations, service, components.database)
    runner.recover()
