"""Comprehend custom classification on Banking77 (77 banking intents): a classifier trained
through the live server on the train split (CreateDocumentClassifier, TestS3Uri = the test
split), its test accuracy from DescribeDocumentClassifier's EvaluationMetrics, and its
training time; against TF-IDF + logistic regression trained and tested on the same splits in
the same run. Then ClassifyDocument latency through the server (boto3, one document a call)
against the same encoder and head called in-process.

    python -m bench.comprehend_classifier [--data ../shared/data/intent/banking77] [--calls 200]
    python -m bench.comprehend_classifier --in-process   # the training job's functions alone
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import LiveServer  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "intent" / "banking77"
ROLE = "arn:aws:iam::123456789012:role/comprehend"
BUCKET = "bench-classifier"


def read(path: Path) -> list[tuple[str, str]]:
    with path.open() as handle:
        return [(row["category"], row["text"]) for row in csv.DictReader(handle)]


def as_csv(rows: list[tuple[str, str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def tfidf_baseline(
    train: list[tuple[str, str]], test: list[tuple[str, str]]
) -> tuple[float, float]:
    """(test accuracy, training seconds) of TF-IDF (words and character n-grams) + LR."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.pipeline import make_pipeline, make_union  # type: ignore[import-untyped]

    started = time.perf_counter()
    model = make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        ),
        LogisticRegression(C=10.0, max_iter=3000),
    )
    model.fit([t for _, t in train], [y for y, _ in train])
    seconds = time.perf_counter() - started
    predicted = model.predict([t for _, t in test])
    right = sum(int(p == y) for p, (y, _) in zip(predicted, test, strict=True))
    return right / len(test), seconds


def wait(read_status: Any, done: tuple[str, ...]) -> dict[str, Any]:
    while True:
        found: dict[str, Any] = read_status()
        if found["Status"] in done:
            return found
        time.sleep(2)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def bare_latency(model: bytes, texts: list[str]) -> tuple[float, float]:
    """p50, p95 ms of the encoder + head in this process, one document a call."""
    from sensorium.models.text.custom_classifier import DocumentEncoder, TrainedHead

    encoder = DocumentEncoder()
    encoder.load("cpu")
    head = TrainedHead.from_bytes(model)
    head.probabilities(encoder.embed(texts[:5]))  # warm-up
    samples = []
    for text in texts:
        started = time.perf_counter()
        head.probabilities(encoder.embed([text]))
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def in_process(train: list[tuple[str, str]], test: list[tuple[str, str]]) -> dict[str, float]:
    """The training job's steps without the server: embed, train the head, evaluate (one
    torch thread: on a shared 2-core box two threads thrash)."""
    import numpy as np
    import torch

    from sensorium.models.text.custom_classifier import (
        DocumentEncoder,
        TrainingPlan,
        predictions,
        train_head,
    )
    from sensorium.services.comprehend.classifiers.metrics import evaluation_metrics
    from sensorium.services.comprehend.classifiers.training_data import Documents

    training = Documents([t for _, t in train], [[y] for y, _ in train])
    testing = Documents([t for _, t in test], [[y] for y, _ in test])
    labels = sorted({y for y, _ in train})
    torch.set_num_threads(1)
    encoder = DocumentEncoder()
    encoder.load("cpu")
    started = time.perf_counter()
    embedded = encoder.embed(training.texts + testing.texts)
    embedding = time.perf_counter() - started
    head = train_head(
        embedded[: len(training)], training.targets(labels), labels, False, TrainingPlan()
    )
    fitting = time.perf_counter() - started - embedding
    scores = head.probabilities(embedded[len(training) :])
    metrics = evaluation_metrics(testing.targets(labels), predictions(scores, False), False)
    assert np.isfinite(list(metrics.values())).all()
    return {**metrics, "embedding_s": embedding, "head_s": fitting}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args()
    folder = args.data / "banking_data"
    train, test = read(folder / "train.csv"), read(folder / "test.csv")
    baseline, baseline_seconds = tfidf_baseline(train, test)
    print(f"TF-IDF + LR: accuracy {baseline:.2%}, trained in {baseline_seconds:.1f} s", flush=True)
    if args.in_process:
        measured = in_process(train, test)
        print(
            f"in-process head: accuracy {measured['Accuracy']:.2%} "
            f"({measured['Accuracy'] / baseline:.3f}x TF-IDF), macro F1 {measured['F1Score']:.2%}; "
            f"embedding {measured['embedding_s']:.1f} s, head {measured['head_s']:.1f} s",
            flush=True,
        )
        return

    from botocore.config import Config

    with tempfile.TemporaryDirectory() as temporary:
        env = {"SENSORIUM_SERVICES": "comprehend", "SENSORIUM_JOBS_WORKERS": "1"}
        server = LiveServer(Path(temporary) / "data", env=env).start(timeout=900)
        try:
            client = server.client(
                "comprehend", config=Config(read_timeout=600, retries={"total_max_attempts": 1})
            )
            for name, rows in (("train.csv", train), ("test.csv", test)):
                path = server.data_dir / "s3" / BUCKET / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(as_csv(rows))
            started = time.perf_counter()
            arn = client.create_document_classifier(
                DocumentClassifierName="banking77",
                DataAccessRoleArn=ROLE,
                InputDataConfig={
                    "S3Uri": f"s3://{BUCKET}/train.csv",
                    "TestS3Uri": f"s3://{BUCKET}/test.csv",
                },
                LanguageCode="en",
            )["DocumentClassifierArn"]

            def describe() -> dict[str, Any]:
                found = client.describe_document_classifier(DocumentClassifierArn=arn)
                properties: dict[str, Any] = found["DocumentClassifierProperties"]
                return properties

            found = wait(describe, ("TRAINED", "IN_ERROR"))
            wall = time.perf_counter() - started
            if found["Status"] != "TRAINED":
                raise SystemExit(f"training failed: {found.get('Message')}")
            training = (found["TrainingEndTime"] - found["TrainingStartTime"]).total_seconds()
            meta = found["ClassifierMetadata"]
            metrics = meta["EvaluationMetrics"]
            print(
                f"server classifier: {meta['NumberOfTrainedDocuments']} trained, "
                f"{meta['NumberOfTestDocuments']} tested; accuracy {metrics['Accuracy']:.2%}, "
                f"macro F1 {metrics['F1Score']:.2%}; training {training:.1f} s "
                f"(submit to TRAINED {wall:.1f} s); accuracy vs TF-IDF "
                f"{metrics['Accuracy'] / baseline:.3f}x",
                flush=True,
            )
            endpoint = client.create_endpoint(
                EndpointName="banking77", ModelArn=arn, DesiredInferenceUnits=1
            )["EndpointArn"]
            wait(
                lambda: client.describe_endpoint(EndpointArn=endpoint)["EndpointProperties"],
                ("IN_SERVICE", "FAILED"),
            )
            texts = [text for _, text in test[: args.calls]]
            for text in texts[:5]:
                client.classify_document(Text=text, EndpointArn=endpoint)
            samples = []
            for text in texts:
                begun = time.perf_counter()
                client.classify_document(Text=text, EndpointArn=endpoint)
                samples.append((time.perf_counter() - begun) * 1000)
            server_p50, server_p95 = percentiles(samples)
            model = _stored_model(server, arn)
        finally:
            server.stop()
    bare_p50, bare_p95 = bare_latency(model, texts)
    print(
        f"ClassifyDocument through the server: p50 {server_p50:.1f} ms, p95 {server_p95:.1f} ms; "
        f"bare model: p50 {bare_p50:.1f} ms, p95 {bare_p95:.1f} ms; "
        f"server/bare p50 {server_p50 / bare_p50:.2f}x",
        flush=True,
    )


def _stored_model(server: LiveServer, arn: str) -> bytes:
    """The trained head, read from the server's database (the bare-model baseline uses it)."""
    from sqlalchemy import select

    from sensorium.services.comprehend.classifiers.tables import ClassifierRow
    from sensorium.storage.database import Database, sqlite_url
    from sensorium.storage.owned import UNSCOPED

    db = Database(server.database_url or sqlite_url(server.data_dir))
    with db.reading(UNSCOPED) as session:
        model = session.scalar(select(ClassifierRow.model).where(ClassifierRow.arn == arn))
    if model is None:
        raise SystemExit("the trained model is not stored")
    return model


if __name__ == "__main__":
    main()
