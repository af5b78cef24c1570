"""Custom classification's operations: each a method of the same name (snake_case) on one
of its services, applied to the named input members, or to the whole request."""

from __future__ import annotations

from sensorium.operations import Handler, OperationRegistry
from sensorium.services.comprehend.classifiers.classification import ClassificationJobs
from sensorium.services.comprehend.classifiers.endpoints import Endpoints
from sensorium.services.comprehend.classifiers.service import DocumentClassifiers

SERVICE = "comprehend"
BOUND = {
    "DescribeDocumentClassifier": "DocumentClassifierArn",
    "StopTrainingDocumentClassifier": "DocumentClassifierArn",
    "DeleteDocumentClassifier": "DocumentClassifierArn",
    "DescribeEndpoint": "EndpointArn",
    "DeleteEndpoint": "EndpointArn",
    "DescribeDocumentClassificationJob": "JobId",
}


def register(
    registry: OperationRegistry,
    classifiers: DocumentClassifiers,
    endpoints: Endpoints,
    jobs: ClassificationJobs,
) -> None:
    registry.bind(SERVICE, BOUND, classifiers, endpoints, jobs)
    whole: dict[str, Handler] = {
        "CreateDocumentClassifier": classifiers.create_document_classifier,
        "ListDocumentClassifiers": classifiers.list_document_classifiers,
        "CreateEndpoint": endpoints.create_endpoint,
        "ListEndpoints": endpoints.list_endpoints,
        "UpdateEndpoint": endpoints.update_endpoint,
        "ClassifyDocument": endpoints.classify_document,
        "StartDocumentClassificationJob": jobs.start_document_classification_job,
        "ListDocumentClassificationJobs": jobs.list_document_classification_jobs,
    }
    for operation, handler in whole.items():
        registry.add(SERVICE, operation, handler)
