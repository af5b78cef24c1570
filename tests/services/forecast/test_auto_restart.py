"""AutoPredictor picks by backtest and says why; a restart mid-training still settles it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.conftest import LiveServer
from tests.services.forecast.conftest import dataset_with_import, long_csv, m4_series, unique, wait


def test_auto_predictor_survives_a_restart(fresh_server: LiveServer) -> None:
    fresh_server.env["SENSORIUM_FORECAST_DEEPAR_STEPS"] = "40"
    fresh_server.start()
    forecast = fresh_server.client("forecast")
    train, _ = m4_series("Hourly", 4)
    group, _, job = dataset_with_import(
        forecast, fresh_server, long_csv([s[-300:] for s in train], dt.timedelta(hours=1))
    )
    assert job["Status"] == "ACTIVE", job.get("Message")
    arn = forecast.create_auto_predictor(
        PredictorName=unique("auto"),
        ForecastHorizon=24,
        ForecastFrequency="H",
        DataConfig={"DatasetGroupArn": group},
        OptimizationMetric="WAPE",
    )["PredictorArn"]
    fresh_server.kill()  # mid-training (or before it started)
    fresh_server.start()
    forecast = fresh_server.client("forecast")
    predictor = wait(forecast.describe_auto_predictor, PredictorArn=arn, limit=600)
    assert predictor["Status"] == "ACTIVE", predictor.get("Message")
    assert predictor["Message"].startswith("Chose ")
    assert "lowest WAPE" in predictor["Message"]
    for name in ("Deep_AR_Plus", "ETS", "ARIMA", "NPTS", "Seasonal_Naive"):
        assert name in predictor["Message"]
    metrics = forecast.get_accuracy_metrics(PredictorArn=arn)
    assert metrics["IsAutoPredictor"] is True
    assert metrics["OptimizationMetric"] == "WAPE"
    results = metrics["PredictorEvaluationResults"]
    assert "AlgorithmArn" not in results[0]  # the per-item plan's own backtest comes first
    evaluated = {r["AlgorithmArn"].rsplit("/", 1)[1] for r in results[1:]}
    assert evaluated == {"Deep_AR_Plus", "ETS", "ARIMA", "NPTS", "Seasonal_Naive"}

    def summary_wape(result: dict[str, Any]) -> float:
        summary = result["TestWindows"][0]
        assert summary["EvaluationType"] == "SUMMARY"
        assert summary["Metrics"]["AverageWeightedQuantileLoss"] > 0
        (mean,) = [m for m in summary["Metrics"]["ErrorMetrics"] if m["ForecastType"] == "mean"]
        return float(mean["WAPE"])

    # Chosen per item by WAPE, the plan is at least as good as any one algorithm there.
    assert summary_wape(results[0]) <= min(summary_wape(r) for r in results[1:]) + 1e-9
