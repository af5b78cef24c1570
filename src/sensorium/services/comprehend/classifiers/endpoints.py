"""Endpoints that serve a trained classifier, and ClassifyDocument on them.

An endpoint is CREATING until a job (``comprehend.endpoint``) has loaded its classifier's
head and classified a probe document with it, then IN_SERVICE (FAILED with a Message if the
model cannot load). UpdateEndpoint loads the desired model the same way (UPDATING; the
current model keeps serving until the new one is ready). Every node loads heads on demand
from the classifier row, so any node answers ClassifyDocument. Inference units are
recorded, not enforced: requests are bounded by the encoder's admission gate.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sensorium.context import RequestContext
from sensorium.jobs import JobFailed, JobKind, JobRow, RunningJob
from sensorium.services.comprehend.classifiers.tables import ClassifierRow, EndpointRow
from sensorium.services.comprehend.classifiers.workbench import (
    SERVICE,
    Shape,
    Workbench,
    check_arn_scope,
    find_classifier,
    page_size,
    put_tags,
    time_filter,
)
from sensorium.services.comprehend.errors import (
    InvalidRequestException,
    ResourceInUseException,
    ResourceLimitExceededException,
    ResourceNotFoundException,
    ResourceUnavailableException,
    TextSizeLimitExceededException,
)
from sensorium.storage import tagging
from sensorium.storage.owned import aware, utcnow
from sensorium.storage.paging import Listing

KIND = "comprehend.endpoint"
MAX_TEXT_BYTES = 10_000  # AWS's limit on a ClassifyDocument text
MAX_ENDPOINTS = 100
MULTI_CLASS_ANSWERS = 3  # ClassifyDocument gives the three likeliest classes, as AWS does
PROBE = "A probe document that checks the model answers."


class Endpoints:
    def __init__(self, bench: Workbench) -> None:
        self.bench = bench

    def create_endpoint(self, ctx: RequestContext, params: Shape) -> Shape:
        if params.get("FlywheelArn") or not params.get("ModelArn"):
            raise InvalidRequestException("Give a ModelArn (flywheels are not supported here).")
        model_arn = params["ModelArn"]
        if ":document-classifier/" not in model_arn:
            raise InvalidRequestException("Only document classifier endpoints are supported here.")
        check_arn_scope(ctx, model_arn)
        arn = ctx.arn(SERVICE, f"document-classifier-endpoint/{params['EndpointName']}")
        token = params.get("ClientRequestToken")
        with self.bench.db.transaction(ctx.scope) as session:
            if token:
                known = session.scalar(select(EndpointRow).filter_by(client_token=token))
                if known is not None:
                    if known.arn != arn or known.model_arn != model_arn:
                        raise InvalidRequestException(
                            f"ClientRequestToken {token} was used for a different request."
                        )
                    return {"EndpointArn": known.arn, "ModelArn": known.model_arn}
            _trained(session, model_arn)
            if session.scalar(select(EndpointRow.id).filter_by(arn=arn)) is not None:
                raise ResourceInUseException(f"The endpoint {arn} already exists.")
            count = session.scalar(select(func.count()).select_from(EndpointRow)) or 0
            if count >= MAX_ENDPOINTS:
                raise ResourceLimitExceededException(
                    f"An account may have at most {MAX_ENDPOINTS} endpoints."
                )
            row = EndpointRow(
                arn=arn,
                name=params["EndpointName"],
                status="CREATING",
                model_arn=model_arn,
                desired_units=params["DesiredInferenceUnits"],
                current_units=0,
                role_arn=params.get("DataAccessRoleArn"),
                client_token=token,
            )
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                raise ResourceInUseException(f"The endpoint {arn} already exists.") from None
            put_tags(session, arn, params.get("Tags"))
            self.bench.jobs.submit(session, KIND, ctx.scope, str(row.id))
        return {"EndpointArn": arn, "ModelArn": model_arn}

    def describe_endpoint(self, ctx: RequestContext, arn: str) -> Shape:
        check_arn_scope(ctx, arn)
        with self.bench.db.reading(ctx.scope) as session:
            return {"EndpointProperties": endpoint_properties(_endpoint(session, arn))}

    def list_endpoints(self, ctx: RequestContext, params: Shape) -> Shape:
        filters = params.get("Filter") or {}
        query = select(EndpointRow)
        if "ModelArn" in filters:
            query = query.where(EndpointRow.model_arn == filters["ModelArn"])
        if "Status" in filters:
            query = query.where(EndpointRow.status == filters["Status"])
        query = time_filter(
            query, EndpointRow.created_at, filters, "CreationTimeBefore", "CreationTimeAfter"
        )
        bound = {key: str(value) for key, value in filters.items()}
        listing = Listing("ListEndpoints", (EndpointRow.id,), bound)
        with self.bench.db.reading(ctx.scope) as session:
            page = self.bench.paginator.page(
                session, query, listing, page_size(params), params.get("NextToken")
            )
            return page.output("EndpointPropertiesList", endpoint_properties)

    def update_endpoint(self, ctx: RequestContext, params: Shape) -> Shape:
        arn = params["EndpointArn"]
        check_arn_scope(ctx, arn)
        if params.get("FlywheelArn"):
            raise InvalidRequestException("Flywheels are not supported here.")
        with self.bench.db.transaction(ctx.scope) as session:
            row = _endpoint(session, arn)
            if row.status != "IN_SERVICE":
                raise ResourceInUseException(
                    f"The endpoint {arn} is {row.status}; it can be updated when IN_SERVICE."
                )
            desired = params.get("DesiredModelArn") or row.model_arn
            check_arn_scope(ctx, desired)
            _trained(session, desired)
            row.desired_model_arn = desired
            row.desired_units = params.get("DesiredInferenceUnits") or row.desired_units
            if params.get("DesiredDataAccessRoleArn"):
                row.role_arn = params["DesiredDataAccessRoleArn"]
            row.status = "UPDATING"
            self.bench.jobs.submit(session, KIND, ctx.scope, str(row.id))
        return {"DesiredModelArn": desired}

    def delete_endpoint(self, ctx: RequestContext, arn: str) -> Shape:
        check_arn_scope(ctx, arn)
        with self.bench.db.transaction(ctx.scope) as session:
            row = _endpoint(session, arn)
            self.bench.jobs.cancel(session, KIND, str(row.id))
            tagging.remove_all(session, arn)
            session.delete(row)
        return {}

    def classify_document(self, ctx: RequestContext, params: Shape) -> Shape:
        arn = params["EndpointArn"]
        text = params.get("Text")
        if params.get("Bytes") is not None or params.get("DocumentReaderConfig"):
            raise InvalidRequestException("Only Text is supported here (no semi-structured files).")
        if not text or not text.strip():
            raise InvalidRequestException("Text must not be blank.")
        size = len(text.encode("utf-8"))
        if size > MAX_TEXT_BYTES:
            raise TextSizeLimitExceededException(
                f"Input text size exceeds limit. Max length of request text allowed is "
                f"{MAX_TEXT_BYTES} bytes while in this request the text size is {size} bytes"
            )
        with self.bench.db.reading(ctx.scope) as session:
            row = session.scalar(select(EndpointRow).filter_by(arn=arn))
            if row is None:
                raise ResourceUnavailableException(f"The endpoint {arn} does not exist.")
            if row.status not in ("IN_SERVICE", "UPDATING"):
                raise ResourceUnavailableException(
                    f"The endpoint {arn} is {row.status}; it classifies documents once IN_SERVICE."
                )
            classifier = session.scalar(select(ClassifierRow).filter_by(arn=row.model_arn))
            if classifier is None or classifier.status != "TRAINED":
                raise ResourceUnavailableException(f"The model {row.model_arn} is not available.")
            head = self.bench.head(session, classifier)
        scores = self.bench.classify(head, [text])[0]
        return answer(head.labels, scores, head.multi_label)

    # Running (called by the job kind).

    def load(self, job: RunningJob) -> None:
        """Load the endpoint's (desired) model and classify a probe document with it."""
        with self.bench.db.reading(job.scope) as session:
            row = session.get(EndpointRow, int(job.resource))
            if row is None:
                raise JobFailed("The endpoint was deleted.")
            arn = row.desired_model_arn or row.model_arn
            classifier = session.scalar(select(ClassifierRow).filter_by(arn=arn))
            if classifier is None or classifier.status != "TRAINED":
                raise JobFailed(f"The model {arn} is not available.")
            try:
                head = self.bench.head(session, classifier)
            except ValueError as error:
                raise JobFailed(f"The model {arn} cannot be loaded: {error}") from None
        scores = self.bench.classify(head, [PROBE])
        if not np.isfinite(scores).all():
            raise JobFailed(f"The model {arn} does not give finite scores.")


def answer(labels: list[str], scores: Any, multi_label: bool) -> Shape:
    """ClassifyDocument's Classes (the likeliest three) or Labels (every label, by score)."""
    order = np.argsort(-scores, kind="stable")
    if multi_label:
        return {"Labels": [{"Name": labels[i], "Score": float(scores[i])} for i in order]}
    top = order[:MULTI_CLASS_ANSWERS]
    return {"Classes": [{"Name": labels[i], "Score": float(scores[i])} for i in top]}


def _trained(session: Session, model_arn: str) -> ClassifierRow:
    row = find_classifier(session, model_arn)
    if row.status != "TRAINED":
        raise ResourceUnavailableException(
            f"The document classifier {model_arn} is {row.status}; an endpoint needs a "
            "TRAINED model."
        )
    return row


def _endpoint(session: Session, arn: str) -> EndpointRow:
    row = session.scalar(select(EndpointRow).filter_by(arn=arn))
    if row is None:
        raise ResourceNotFoundException(f"Could not find the endpoint {arn}.")
    return row


def endpoint_properties(row: EndpointRow) -> Shape:
    answer: Shape = {
        "EndpointArn": row.arn,
        "Status": row.status,
        "ModelArn": row.model_arn,
        "DesiredInferenceUnits": row.desired_units,
        "CurrentInferenceUnits": row.current_units,
        "CreationTime": aware(row.created_at),
        "LastModifiedTime": aware(row.updated_at),
    }
    if row.message:
        answer["Message"] = row.message
    if row.desired_model_arn:
        answer["DesiredModelArn"] = row.desired_model_arn
    if row.role_arn:
        answer["DataAccessRoleArn"] = row.role_arn
    return answer


class EndpointKind(JobKind[None]):
    name = KIND

    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints

    def run(self, job: RunningJob) -> None:
        self.endpoints.load(job)

    def succeeded(self, session: Session, job: JobRow, outcome: None) -> dict[str, Any] | None:
        if (row := session.get(EndpointRow, int(job.resource))) is not None:
            if row.desired_model_arn:
                row.model_arn = row.desired_model_arn
                row.desired_model_arn = None
            row.current_units = row.desired_units
            row.status = "IN_SERVICE"
            row.message = None
            row.updated_at = utcnow()
        return None

    def failed(self, session: Session, job: JobRow, reason: str) -> None:
        if (row := session.get(EndpointRow, int(job.resource))) is not None:
            if row.status == "UPDATING":  # the current model keeps serving
                row.desired_model_arn = None
                row.status = "IN_SERVICE"
            else:
                row.status = "FAILED"
            row.message = reason
