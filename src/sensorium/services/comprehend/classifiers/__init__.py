"""Comprehend custom classification: document classifiers users train on their own CSV
data (a head over the packaged sentence encoder, ``models/text/custom_classifier.py``),
endpoints with ClassifyDocument, and asynchronous classification jobs on S3.

Settings (``settings.comprehend``):
  SENSORIUM_COMPREHEND_CLASSIFIER_EPOCHS  passes over the training data (default 40)
"""

from __future__ import annotations

from sensorium.components import Components
from sensorium.models.text.custom_classifier import ENCODER_MODEL, DocumentEncoder, TrainingPlan

SERVICE = "comprehend"


def install(components: Components) -> None:
    from sensorium.services.comprehend.classifiers import handlers
    from sensorium.services.comprehend.classifiers.classification import (
        ClassificationJobs,
        ClassificationKind,
    )
    from sensorium.services.comprehend.classifiers.endpoints import EndpointKind, Endpoints
    from sensorium.services.comprehend.classifiers.service import DocumentClassifiers
    from sensorium.services.comprehend.classifiers.training import TrainingKind
    from sensorium.services.comprehend.classifiers.workbench import Workbench
    from sensorium.services.comprehend.errors import ERRORS

    components.models.register(ENCODER_MODEL, DocumentEncoder)
    components.operations.gate(SERVICE, ENCODER_MODEL, "ClassifyDocument")
    bench = Workbench(
        components.database,
        components.blobs,
        components.jobs,
        components.paginator(ERRORS),
        lambda: components.models.get(ENCODER_MODEL, DocumentEncoder),
    )
    plan = TrainingPlan(epochs=components.settings.comprehend.classifier_epochs)
    classifiers = DocumentClassifiers(bench)
    endpoints = Endpoints(bench)
    jobs = ClassificationJobs(bench)
    components.jobs.register(TrainingKind(bench, plan))
    components.jobs.register(EndpointKind(endpoints))
    components.jobs.register(ClassificationKind(jobs))
    handlers.register(components.operations, classifiers, endpoints, jobs)
