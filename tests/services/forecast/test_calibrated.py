"""A predictor's served band is its algorithm's band with the calibrated widths: the same
ETS forecast and backtests recomputed here, through the public modules, give the served p50
unchanged, the served p5/p10/p90/p95 as calibrated (not as ETS drew them), and the accuracy
metrics of the calibrated backtest."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from sensorium.models.forecasting import calibration, evaluation
from sensorium.models.forecasting.algorithms import make
from sensorium.models.forecasting.prediction import Prediction
from tests.conftest import LiveServer
from tests.services.forecast.conftest import dataset_with_import, long_csv, m4_series, unique, wait

HORIZON, SEASON = 13, 52
TYPES = ["0.05", "0.1", "0.5", "0.9", "0.95"]
LABELS = ["p5", "p10", "p50", "p90", "p95"]
ITEMS = 6


def served(forecastquery: Any, arn: str, item: int) -> np.ndarray:
    predictions = forecastquery.query_forecast(
        ForecastArn=arn, Filters={"item_id": f"item_{item}"}
    )["Forecast"]["Predictions"]
    assert set(predictions) == set(LABELS)
    return np.array([[p["Value"] for p in predictions[label]] for label in LABELS])


def levels(prediction: Prediction) -> np.ndarray:
    return np.array([prediction.quantile(float(kind)) for kind in TYPES])


def test_served_band_is_the_calibrated_band(
    server: LiveServer, forecast: Any, forecastquery: Any
) -> None:
    train, _ = m4_series("Weekly", ITEMS)
    histories = [np.array(s[-200:]) for s in train]
    group, _, job = dataset_with_import(
        forecast,
        server,
        long_csv([list(h) for h in histories], dt.timedelta(weeks=1), "%Y-%m-%d"),
        frequency="W",
    )
    assert job["Status"] == "ACTIVE", job.get("Message")
    arn = forecast.create_predictor(
        PredictorName=unique("calibrated"),
        AlgorithmArn="arn:aws:forecast:::algorithm/ETS",
        ForecastHorizon=HORIZON,
        ForecastTypes=TYPES,
        InputDataConfig={"DatasetGroupArn": group},
        FeaturizationConfig={"ForecastFrequency": "W"},
    )["PredictorArn"]
    predictor = wait(forecast.describe_predictor, PredictorArn=arn)
    assert predictor["Status"] == "ACTIVE", predictor.get("Message")
    forecast_arn = forecast.create_forecast(ForecastName=unique("fc"), PredictorArn=arn)[
        "ForecastArn"
    ]
    assert wait(forecast.describe_forecast, ForecastArn=forecast_arn)["Status"] == "ACTIVE"

    latest = evaluation.backtest(make("ETS"), histories, HORIZON, SEASON)
    older = evaluation.older_backtest(make("ETS"), histories, HORIZON, SEASON, 1)
    assert [len(w.items) for w in older] == [ITEMS, ITEMS]
    fitted = calibration.fit([*latest, *older])
    raw = make("ETS").forecast(histories, HORIZON, SEASON)
    expected = calibration.apply_plan([("ETS",)] * ITEMS, raw, {"ETS": fitted}, histories)
    moved = 0.0
    for item in range(ITEMS):
        bands = served(forecastquery, forecast_arn, item)
        assert np.all(np.diff(bands, axis=0) >= 0)
        np.testing.assert_allclose(bands[2], raw[item].quantile(0.5), rtol=1e-9)
        np.testing.assert_allclose(bands, levels(expected[item]), rtol=1e-6, atol=1e-6)
        moved = max(moved, float(np.max(np.abs(bands - levels(raw[item])))))
    assert moved > 1e-3  # the calibration changed the band: it is not ETS's own

    (result,) = forecast.get_accuracy_metrics(PredictorArn=arn)["PredictorEvaluationResults"]
    losses = {
        w["Quantile"]: w["LossValue"]
        for w in result["TestWindows"][0]["Metrics"]["WeightedQuantileLosses"]
    }
    (scored,) = calibration.cross_fitted(latest, older)
    quantiles = [float(kind) for kind in TYPES]
    local = evaluation.score(scored, quantiles, TYPES).weighted_quantile_losses
    assert losses == pytest.approx(local, rel=1e-6)
