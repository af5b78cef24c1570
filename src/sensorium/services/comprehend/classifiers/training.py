"""Training a document classifier, a durable job (``comprehend.classifier``).

The job reads the CSV training data (and the test data, or holds 10 % of the training data
out), embeds every document with the shared encoder, trains a head with backpropagation,
and measures it on the test documents. SUBMITTED -> TRAINING -> TRAINED, or IN_ERROR with
the reason as Message; StopTrainingDocumentClassifier -> STOP_REQUESTED -> STOPPED.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from sensorium.jobs import JobFailed, JobKind, JobRow, RunningJob
from sensorium.models.text.custom_classifier import TrainingPlan, predictions, train_head
from sensorium.services.comprehend.classifiers import objects
from sensorium.services.comprehend.classifiers.metrics import evaluation_metrics
from sensorium.services.comprehend.classifiers.tables import ClassifierRow
from sensorium.services.comprehend.classifiers.training_data import (
    BadTrainingData,
    Documents,
    hold_out,
    label_names,
    parse_csv,
)
from sensorium.services.comprehend.classifiers.workbench import Workbench
from sensorium.storage.owned import utcnow

KIND = "comprehend.classifier"
MAX_TRAINING_BYTES = 1024**3  # AWS's limit on a classifier's training data (1 GB)


@dataclass
class Trained:
    model: bytes
    metadata: dict[str, Any]


class TrainingKind(JobKind[Trained]):
    name = KIND
    accelerated = True

    def __init__(self, bench: Workbench, plan: TrainingPlan) -> None:
        self.bench = bench
        self.plan = plan

    def run(self, job: RunningJob) -> Trained:
        with self.bench.db.reading(job.scope) as session:
            row = session.get(ClassifierRow, int(job.resource))
            if row is None:
                raise JobFailed("The document classifier was deleted.")
            request, arn = row.request, row.arn
        training, test = self._documents(job, request, arn)
        try:
            labels = label_names(training)
        except BadTrainingData as error:
            raise JobFailed(str(error)) from None
        unknown = sorted({x for doc in test.labels for x in doc} - set(labels))
        if unknown:
            raise JobFailed(
                f"The test data has labels the training data lacks: {', '.join(unknown[:20])}."
            )
        job.progress(0.05)
        encoder = self.bench.encoder()
        embedded = encoder.embed(training.texts + test.texts, check=job.check)
        job.progress(0.5)
        multi_label = request.get("Mode") == "MULTI_LABEL"
        head = train_head(
            embedded[: len(training)],
            training.targets(labels),
            labels,
            multi_label,
            self.plan,
            check=job.check,
            progress=lambda done: job.progress(0.5 + 0.45 * done),
        )
        metadata: dict[str, Any] = {
            "NumberOfLabels": len(labels),
            "NumberOfTrainedDocuments": len(training),
            "NumberOfTestDocuments": len(test),
        }
        if len(test):
            scores = head.probabilities(embedded[len(training) :])
            decided = predictions(scores, multi_label)
            metadata["EvaluationMetrics"] = evaluation_metrics(
                test.targets(labels), decided, multi_label
            )
        return Trained(head.to("cpu").to_bytes(), metadata)

    def _documents(
        self, job: RunningJob, request: dict[str, Any], arn: str
    ) -> tuple[Documents, Documents]:
        config = request["InputDataConfig"]
        multi_label = request.get("Mode") == "MULTI_LABEL"
        delimiter = config.get("LabelDelimiter") or "|"
        try:
            training = self._parse(job, config["S3Uri"], multi_label, delimiter)
            if config.get("TestS3Uri"):
                return training, self._parse(job, config["TestS3Uri"], multi_label, delimiter)
        except BadTrainingData as error:
            raise JobFailed(str(error)) from None
        return hold_out(training, arn)

    def _parse(self, job: RunningJob, uri: str, multi_label: bool, delimiter: str) -> Documents:
        data = objects.read(self.bench.blobs, job.scope, uri, MAX_TRAINING_BYTES)
        return parse_csv(data, uri, multi_label, delimiter)

    # Hooks: the classifier row follows its job.

    def started(self, session: Session, job: JobRow) -> None:
        if (row := session.get(ClassifierRow, int(job.resource))) is not None:
            row.status = "TRAINING"
            row.training_started_at = utcnow()

    def succeeded(self, session: Session, job: JobRow, outcome: Trained) -> dict[str, Any] | None:
        if (row := session.get(ClassifierRow, int(job.resource))) is not None:
            row.model = outcome.model
            row.classifier_metadata = outcome.metadata
            row.status = "TRAINED"
            row.training_ended_at = row.ended_at = utcnow()
        return None

    def failed(self, session: Session, job: JobRow, reason: str) -> None:
        if (row := session.get(ClassifierRow, int(job.resource))) is not None:
            row.status = "IN_ERROR"
            row.message = reason
            row.ended_at = utcnow()

    def requeued(self, session: Session, job: JobRow) -> None:
        if (row := session.get(ClassifierRow, int(job.resource))) is not None:
            row.status = "SUBMITTED"

    def cancelled(self, session: Session, job: JobRow) -> None:
        if (row := session.get(ClassifierRow, int(job.resource))) is not None:
            row.status = "STOPPED"
            row.message = "Training was stopped by StopTrainingDocumentClassifier."
            row.ended_at = utcnow()
