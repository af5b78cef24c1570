"""Custom classification through boto3: classifiers trained on a small real Banking77
subset, endpoints and ClassifyDocument, classification jobs on S3, and their errors.

The module's server runs one job worker, so jobs run in the order they were submitted: an
endpoint created while a classifier trains stays CREATING until that training is over.
"""

from __future__ import annotations

import csv
import io
import json
import tarfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sensorium.services.comprehend.classifiers.metrics import evaluation_metrics
from tests.conftest import LiveServer, shared_data

ROLE = "arn:aws:iam::123456789012:role/comprehend"
BUCKET = "classifier-data"
INTENTS = ("card_arrival", "exchange_rate", "lost_or_stolen_card", "top_up_failed")
PER_INTENT = 30  # training documents of each intent (10 % of them held out)
# MULTI_LABEL: each intent's documents carry a topic and a kind of request.
FACETS = {
    "card_arrival": "card|waiting",
    "lost_or_stolen_card": "card|problem",
    "top_up_failed": "top_up|problem",
    "pending_top_up": "top_up|waiting",
}
TRAINING_DONE = ("TRAINED", "IN_ERROR", "STOPPED")


def banking(split: str, intents: tuple[str, ...], count: int) -> list[tuple[str, str]]:
    """The first ``count`` (intent, text) rows of each intent in a Banking77 split."""
    path = shared_data("intent", "banking77", "banking_data", f"{split}.csv")
    taken: dict[str, int] = {}
    rows = []
    with path.open() as handle:
        for row in csv.DictReader(handle):
            intent = row["category"]
            if intent in intents and taken.get(intent, 0) < count:
                taken[intent] = taken.get(intent, 0) + 1
                rows.append((intent, row["text"]))
    return rows


def csv_text(rows: list[tuple[str, str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def put(server: LiveServer, text: str, key: str | None = None) -> str:
    key = key or f"{uuid.uuid4().hex[:8]}/train.csv"
    path = server.data_dir / "s3" / BUCKET / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return f"s3://{BUCKET}/{key}"


def until(read: Callable[[], dict[str, Any]], done: tuple[str, ...], limit: float = 1800) -> Any:
    """Poll until the status is one of ``done`` (the limit only guards a hang)."""
    deadline = time.monotonic() + limit
    while True:
        found = read()
        if found["Status"] in done or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def classifier(comprehend: Any, arn: str) -> dict[str, Any]:
    answer: dict[str, Any] = comprehend.describe_document_classifier(DocumentClassifierArn=arn)
    properties: dict[str, Any] = answer["DocumentClassifierProperties"]
    return properties


def endpoint(comprehend: Any, arn: str) -> dict[str, Any]:
    answer: dict[str, Any] = comprehend.describe_endpoint(EndpointArn=arn)
    properties: dict[str, Any] = answer["EndpointProperties"]
    return properties


def create(comprehend: Any, uri: str, **extra: Any) -> str:
    extra.setdefault("DocumentClassifierName", f"c-{uuid.uuid4().hex[:10]}")
    extra.setdefault("LanguageCode", "en")
    arn: str = comprehend.create_document_classifier(
        DataAccessRoleArn=ROLE,
        InputDataConfig={"S3Uri": uri, **extra.pop("InputDataConfig", {})},
        **extra,
    )["DocumentClassifierArn"]
    return arn


def job(comprehend: Any, job_id: str) -> dict[str, Any]:
    found = comprehend.describe_document_classification_job(JobId=job_id)
    properties: dict[str, Any] = found["DocumentClassificationJobProperties"]
    return {**properties, "Status": properties["JobStatus"]}


@pytest.fixture(scope="module")
def live(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"SENSORIUM_SERVICES": "comprehend", "SENSORIUM_JOBS_WORKERS": "1"}
    server = LiveServer(tmp_path_factory.mktemp("classifiers") / "data", env=env)
    server.start(timeout=600)  # a busy machine starts slowly
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(live: LiveServer) -> Any:
    # Loading Lingua's language models holds the interpreter's lock for a while at start-up.
    patient = Config(read_timeout=900, retries={"total_max_attempts": 1})
    return live.client("comprehend", config=patient)


@pytest.fixture(scope="module")
def trained(client: Any, live: LiveServer) -> str:
    """A MULTI_CLASS classifier on four intents, trained."""
    uri = put(live, csv_text(banking("train", INTENTS, PER_INTENT)))
    arn = create(client, uri, VersionName="v1", Tags=[{"Key": "team", "Value": "tests"}])
    found = until(lambda: classifier(client, arn), TRAINING_DONE)
    assert found["Status"] == "TRAINED", found.get("Message")
    return arn


def test_a_trained_classifier_reports_its_held_out_metrics(client: Any, trained: str) -> None:
    found = classifier(client, trained)
    assert found["Mode"] == "MULTI_CLASS" and found["VersionName"] == "v1"
    assert found["InputDataConfig"]["DataFormat"] == "COMPREHEND_CSV"
    assert found["SubmitTime"] <= found["TrainingStartTime"] <= found["TrainingEndTime"]
    assert found["EndTime"] >= found["TrainingEndTime"]
    meta = found["ClassifierMetadata"]
    assert meta["NumberOfLabels"] == len(INTENTS)
    assert meta["NumberOfTestDocuments"] == len(INTENTS) * 3  # 10 % of each intent's 30
    assert meta["NumberOfTrainedDocuments"] + meta["NumberOfTestDocuments"] == 4 * PER_INTENT
    metrics = meta["EvaluationMetrics"]
    assert set(metrics) == {
        "Accuracy",
        "Precision",
        "Recall",
        "F1Score",
        "MicroPrecision",
        "MicroRecall",
        "MicroF1Score",
        "HammingLoss",
    }
    assert all(0.0 <= value <= 1.0 for value in metrics.values())
    assert metrics["Accuracy"] >= 0.75  # four distinct intents from 27 examples each
    # One class per document: pooled precision and recall are the accuracy.
    assert metrics["MicroPrecision"] == pytest.approx(metrics["Accuracy"])
    assert metrics["MicroRecall"] == pytest.approx(metrics["Accuracy"])
    assert metrics["HammingLoss"] == pytest.approx(1 - metrics["Accuracy"])


def test_listing_filters_and_pages(client: Any, live: LiveServer, trained: str) -> None:
    name = trained.split("/")[1]
    uri = classifier(client, trained)["InputDataConfig"]["S3Uri"]
    second = create(client, uri, VersionName="v2")
    with pytest.raises(ClientError) as training_now:
        client.delete_document_classifier(DocumentClassifierArn=second)
    assert training_now.value.response["Error"]["Code"] == "ResourceInUseException"
    client.stop_training_document_classifier(DocumentClassifierArn=second)
    by_name = client.list_document_classifiers(Filter={"DocumentClassifierName": name})
    assert {p["DocumentClassifierArn"] for p in by_name["DocumentClassifierPropertiesList"]} == {
        trained
    }
    with pytest.raises(ClientError) as taken:
        create(client, uri, DocumentClassifierName=name, VersionName="v1")
    assert taken.value.response["Error"]["Code"] == "ResourceInUseException"
    seen, token = [], None
    while True:
        page = client.list_document_classifiers(
            MaxResults=1, **({"NextToken": token} if token else {})
        )
        assert len(page["DocumentClassifierPropertiesList"]) <= 1
        seen += [p["DocumentClassifierArn"] for p in page["DocumentClassifierPropertiesList"]]
        token = page.get("NextToken")
        if not token:
            break
    assert {trained, second} <= set(seen) and len(seen) == len(set(seen))
    stopped = until(lambda: classifier(client, second), TRAINING_DONE)
    assert stopped["Status"] == "STOPPED"
    client.delete_document_classifier(DocumentClassifierArn=second)
    trained_only = client.list_document_classifiers(Filter={"Status": "TRAINED"})
    statuses = {p["Status"] for p in trained_only["DocumentClassifierPropertiesList"]}
    assert statuses == {"TRAINED"}


def test_a_client_request_token_makes_one_classifier(client: Any, live: LiveServer) -> None:
    uri = put(live, csv_text(banking("train", INTENTS[:2], 12)))
    args = {"ClientRequestToken": uuid.uuid4().hex, "DocumentClassifierName": "same-token"}
    arn = create(client, uri, **args)
    assert create(client, uri, **args) == arn
    with pytest.raises(ClientError) as reused:
        create(client, uri, **args, VersionName="other")
    assert reused.value.response["Error"]["Code"] == "InvalidRequestException"
    assert until(lambda: classifier(client, arn), TRAINING_DONE)["Status"] == "TRAINED"


def test_a_bad_csv_fails_with_the_reason(client: Any, live: LiveServer) -> None:
    rows = csv_text(banking("train", INTENTS[:2], 12))
    bad = create(client, put(live, rows + "card_arrival,where is it,extra column\n"))
    found = until(lambda: classifier(client, bad), TRAINING_DONE)
    assert found["Status"] == "IN_ERROR"
    assert "Line 25" in found["Message"] and "3 column" in found["Message"]
    few = create(client, put(live, csv_text(banking("train", INTENTS[:2], 5))))
    found = until(lambda: classifier(client, few), TRAINING_DONE)
    assert found["Status"] == "IN_ERROR" and "at least 10" in found["Message"]
    assert "ClassifierMetadata" not in found


def test_unsupported_inputs_are_refused(client: Any, live: LiveServer, trained: str) -> None:
    uri = put(live, "a,b\n")
    with pytest.raises(ClientError) as manifest:
        create(client, uri, InputDataConfig={"DataFormat": "AUGMENTED_MANIFEST"})
    assert manifest.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "AUGMENTED_MANIFEST" in manifest.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as german:
        create(client, uri, LanguageCode="de")
    assert german.value.response["Error"]["Code"] == "UnsupportedLanguageException"
    with pytest.raises(ClientError) as absent:
        classifier(client, trained.replace(trained.split("/")[1], "no-such-classifier"))
    assert absent.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_an_endpoint_serves_its_classifier(client: Any, live: LiveServer, trained: str) -> None:
    # Training queued first: the endpoint's job waits behind it (one job worker).
    facets = [(FACETS[i], text) for i, text in banking("train", tuple(FACETS), 15)]
    multi = create(client, put(live, csv_text(facets)), Mode="MULTI_LABEL")
    made = client.create_endpoint(
        EndpointName=f"e-{uuid.uuid4().hex[:8]}", ModelArn=trained, DesiredInferenceUnits=1
    )
    arn = made["EndpointArn"]
    with pytest.raises(ClientError) as early:
        client.classify_document(Text="Where is my new card?", EndpointArn=arn)
    assert early.value.response["Error"]["Code"] == "ResourceUnavailableException"
    assert endpoint(client, arn)["Status"] == "CREATING"

    ready = until(lambda: endpoint(client, arn), ("IN_SERVICE", "FAILED"))
    assert ready["Status"] == "IN_SERVICE" and ready["CurrentInferenceUnits"] == 1
    tests = banking("test", INTENTS, 5)
    right = 0
    for intent, text in tests:
        classes = client.classify_document(Text=text, EndpointArn=arn)["Classes"]
        assert len(classes) == 3 and classes[0]["Score"] >= classes[1]["Score"]
        right += classes[0]["Name"] == intent
    assert right >= 0.75 * len(tests)

    with pytest.raises(ClientError) as in_use:
        client.delete_document_classifier(DocumentClassifierArn=trained)
    assert in_use.value.response["Error"]["Code"] == "ResourceInUseException"

    found = until(lambda: classifier(client, multi), TRAINING_DONE)
    assert found["Status"] == "TRAINED", found.get("Message")
    assert found["ClassifierMetadata"]["NumberOfLabels"] == 4  # card, top_up, waiting, problem
    assert found["ClassifierMetadata"]["EvaluationMetrics"]["HammingLoss"] < 0.5
    client.update_endpoint(EndpointArn=arn, DesiredModelArn=multi)
    updated = until(lambda: endpoint(client, arn), ("IN_SERVICE", "FAILED"))
    assert updated["ModelArn"] == multi
    labels = client.classify_document(Text="My top up did not work", EndpointArn=arn)["Labels"]
    assert {label["Name"] for label in labels if label["Score"] >= 0.5} == {"top_up", "problem"}
    listed = client.list_endpoints(Filter={"ModelArn": multi})["EndpointPropertiesList"]
    assert [e["EndpointArn"] for e in listed] == [arn]
    client.delete_endpoint(EndpointArn=arn)
    client.delete_document_classifier(DocumentClassifierArn=multi)
    with pytest.raises(ClientError) as gone:
        client.classify_document(Text="Where is my card?", EndpointArn=arn)
    assert gone.value.response["Error"]["Code"] == "ResourceUnavailableException"


def test_a_classification_job_writes_aws_output_layout(
    client: Any, live: LiveServer, trained: str
) -> None:
    tests = banking("test", INTENTS, 6)
    folder = f"in-{uuid.uuid4().hex[:8]}"
    half = len(tests) // 2
    put(live, "\n".join(text for _, text in tests[:half]) + "\n", f"{folder}/a.txt")
    put(live, "\n".join(text for _, text in tests[half:]) + "\n", f"{folder}/b.txt")
    started = client.start_document_classification_job(
        JobName="lines",
        DocumentClassifierArn=trained,
        InputDataConfig={"S3Uri": f"s3://{BUCKET}/{folder}/", "InputFormat": "ONE_DOC_PER_LINE"},
        OutputDataConfig={"S3Uri": f"s3://{BUCKET}/out/"},
        DataAccessRoleArn=ROLE,
    )
    job_id = started["JobId"]

    done = until(lambda: job(client, job_id), ("COMPLETED", "FAILED"))
    assert done["Status"] == "COMPLETED", done.get("Message")
    account = trained.split(":")[4]
    key = f"out/{account}-CLN-{job_id}/output/output.tar.gz"
    assert done["OutputDataConfig"]["S3Uri"] == f"s3://{BUCKET}/{key}"
    lines = _predictions(live.data_dir / "s3" / BUCKET / key)
    assert len(lines) == len(tests)
    where = {(line["File"], line["Line"]): line["Classes"][0]["Name"] for line in lines}
    expected = [("a.txt", str(i)) for i in range(half)]
    expected += [("b.txt", str(i)) for i in range(len(tests) - half)]
    assert sorted(where) == sorted(expected)
    right = sum(where[place] == intent for place, (intent, _) in zip(expected, tests, strict=True))
    assert right >= 0.75 * len(tests)
    listed = client.list_document_classification_jobs(Filter={"JobName": "lines"})
    assert [j["JobId"] for j in listed["DocumentClassificationJobPropertiesList"]] == [job_id]
    with pytest.raises(ClientError) as unknown:
        client.describe_document_classification_job(JobId="0" * 32)
    assert unknown.value.response["Error"]["Code"] == "JobNotFoundException"


def test_one_document_per_file(client: Any, live: LiveServer, trained: str) -> None:
    folder = f"files-{uuid.uuid4().hex[:8]}"
    put(live, "I lost my card yesterday, please block it.", f"{folder}/lost.txt")
    put(live, "What exchange rate do you use for euros?", f"{folder}/rate.txt")
    job_id = client.start_document_classification_job(
        DocumentClassifierArn=trained,
        InputDataConfig={"S3Uri": f"s3://{BUCKET}/{folder}"},
        OutputDataConfig={"S3Uri": f"s3://{BUCKET}/files-out"},
        DataAccessRoleArn=ROLE,
    )["JobId"]
    done = until(lambda: job(client, job_id), ("COMPLETED", "FAILED"))
    assert done["Status"] == "COMPLETED", done.get("Message")
    key = done["OutputDataConfig"]["S3Uri"].removeprefix(f"s3://{BUCKET}/")
    lines = _predictions(live.data_dir / "s3" / BUCKET / key)
    answers = {line["File"]: line["Classes"][0]["Name"] for line in lines}
    assert all("Line" not in line for line in lines)
    assert answers == {"lost.txt": "lost_or_stolen_card", "rate.txt": "exchange_rate"}


def _predictions(archive: Path) -> list[dict[str, Any]]:
    with tarfile.open(archive, "r:gz") as tar:
        assert tar.getnames() == ["predictions.jsonl"]
        member = tar.extractfile("predictions.jsonl")
        assert member is not None
        return [json.loads(line) for line in member.read().decode().splitlines()]


def test_evaluation_metrics_follow_aws_definitions() -> None:
    # MULTI_CLASS, labels (a, b): truth a a b, predicted a b b.
    truth = np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32)
    predicted = np.array([[1, 0], [0, 1], [0, 1]], dtype=np.float32)
    found = evaluation_metrics(truth, predicted, multi_label=False)
    assert found["Accuracy"] == pytest.approx(2 / 3)
    assert found["Precision"] == pytest.approx((1 + 0.5) / 2)
    assert found["Recall"] == pytest.approx((0.5 + 1) / 2)
    assert found["F1Score"] == pytest.approx(2 / 3)
    assert found["MicroF1Score"] == pytest.approx(2 / 3)
    assert found["HammingLoss"] == pytest.approx(1 / 3)
    # MULTI_LABEL: exact matches for Accuracy, wrong (document, label) decisions for Hamming.
    truth = np.array([[1, 1, 0], [0, 1, 0]], dtype=np.float32)
    predicted = np.array([[1, 0, 0], [0, 1, 1]], dtype=np.float32)
    found = evaluation_metrics(truth, predicted, multi_label=True)
    assert found["Accuracy"] == 0.0
    assert found["HammingLoss"] == pytest.approx(2 / 6)
    assert found["Precision"] == pytest.approx((1 + 1 + 0) / 3)
    assert found["Recall"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert found["F1Score"] == pytest.approx((1 + 2 / 3 + 0) / 3)
    assert found["MicroPrecision"] == pytest.approx(2 / 3)
    assert found["MicroRecall"] == pytest.approx(2 / 3)
