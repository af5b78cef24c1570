"""CreatePredictor with PerformAutoML: one winning algorithm for every item (AWS's legacy
AutoML), unlike the AutoPredictor's per-item choice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.conftest import LiveServer
from tests.services.forecast.conftest import dataset_with_import, long_csv, m4_series, unique, wait


def test_perform_automl_trains_one_winner(server: LiveServer, forecast: Any) -> None:
    train, _ = m4_series("Hourly", 4)
    group, _, job = dataset_with_import(
        forecast, server, long_csv([s[-240:] for s in train], dt.timedelta(hours=1))
    )
    assert job["Status"] == "ACTIVE", job.get("Message")
    arn = forecast.create_predictor(
        PredictorName=unique("automl"),
        PerformAutoML=True,
        ForecastHorizon=24,
        InputDataConfig={"DatasetGroupArn": group},
        FeaturizationConfig={"ForecastFrequency": "H"},
        TrainingParameters={"epochs": "2"},
    )["PredictorArn"]
    predictor = wait(forecast.describe_predictor, PredictorArn=arn, limit=600)
    assert predictor["Status"] == "ACTIVE", predictor.get("Message")
    (winner,) = predictor["AutoMLAlgorithmArns"]
    assert predictor["Message"].startswith(f"Chose {winner.rsplit('/', 1)[1]}:")
    results = forecast.get_accuracy_metrics(PredictorArn=arn)["PredictorEvaluationResults"]
    assert all("AlgorithmArn" in result for result in results)  # no per-item plan entry
    assert len(results) == 5
