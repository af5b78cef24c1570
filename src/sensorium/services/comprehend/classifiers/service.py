"""CreateDocumentClassifier, Describe, List, StopTraining and Delete: the classifier rows;
the training itself is ``training.py``'s job."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from sensorium.context import RequestContext
from sensorium.services.comprehend.classifiers import training
from sensorium.services.comprehend.classifiers.tables import (
    ClassificationJobRow,
    ClassifierRow,
    EndpointRow,
)
from sensorium.services.comprehend.classifiers.workbench import (
    Shape,
    Workbench,
    check_arn_scope,
    classifier_arn,
    find_classifier,
    page_size,
    put_tags,
    time_filter,
)
from sensorium.services.comprehend.errors import (
    InvalidRequestException,
    ResourceInUseException,
    ResourceLimitExceededException,
    UnsupportedLanguageException,
)
from sensorium.storage import tagging
from sensorium.storage.owned import aware
from sensorium.storage.paging import Listing

LANGUAGES = frozenset({"en"})  # the packaged encoder is an English model
MAX_CLASSIFIERS = 1000  # per account and region, as AWS's default quota
# The create request's members that Describe echoes.
_ECHOED = (
    "InputDataConfig",
    "OutputDataConfig",
    "DataAccessRoleArn",
    "VolumeKmsKeyId",
    "VpcConfig",
    "Mode",
    "ModelKmsKeyId",
    "VersionName",
    "LanguageCode",
)
_RUNNING = ("SUBMITTED", "TRAINING", "STOP_REQUESTED")


class DocumentClassifiers:
    def __init__(self, bench: Workbench) -> None:
        self.bench = bench

    def create_document_classifier(self, ctx: RequestContext, params: Shape) -> Shape:
        request = _request(params)
        arn = classifier_arn(ctx, params["DocumentClassifierName"], params.get("VersionName"))
        token = params.get("ClientRequestToken")
        with self.bench.db.transaction(ctx.scope) as session:
            if token:
                known = session.scalar(select(ClassifierRow).filter_by(client_token=token))
                if known is not None:
                    if known.arn != arn or known.request != request:
                        raise InvalidRequestException(
                            f"ClientRequestToken {token} was used for a different request."
                        )
                    return {"DocumentClassifierArn": known.arn}
            if session.scalar(select(ClassifierRow.id).filter_by(arn=arn)) is not None:
                raise ResourceInUseException(f"The document classifier {arn} already exists.")
            count = session.scalar(select(func.count()).select_from(ClassifierRow)) or 0
            if count >= MAX_CLASSIFIERS:
                raise ResourceLimitExceededException(
                    f"An account may have at most {MAX_CLASSIFIERS} document classifiers."
                )
            row = ClassifierRow(
                arn=arn,
                name=params["DocumentClassifierName"],
                version_name=params.get("VersionName"),
                status="SUBMITTED",
                request=request,
                client_token=token,
            )
            session.add(row)
            try:
                session.flush()
            except IntegrityError:  # a concurrent create of the same ARN won the race
                raise ResourceInUseException(
                    f"The document classifier {arn} already exists."
                ) from None
            put_tags(session, arn, params.get("Tags"))
            self.bench.jobs.submit(session, training.KIND, ctx.scope, str(row.id))
        return {"DocumentClassifierArn": arn}

    def describe_document_classifier(self, ctx: RequestContext, arn: str) -> Shape:
        check_arn_scope(ctx, arn)
        with self.bench.db.reading(ctx.scope) as session:
            return {"DocumentClassifierProperties": properties(find_classifier(session, arn))}

    def list_document_classifiers(self, ctx: RequestContext, params: Shape) -> Shape:
        filters = params.get("Filter") or {}
        query = select(ClassifierRow)
        if "Status" in filters:
            query = query.where(ClassifierRow.status == filters["Status"])
        if "DocumentClassifierName" in filters:
            query = query.where(ClassifierRow.name == filters["DocumentClassifierName"])
        query = time_filter(
            query, ClassifierRow.created_at, filters, "SubmitTimeBefore", "SubmitTimeAfter"
        )
        bound = {key: str(value) for key, value in filters.items()}
        listing = Listing("ListDocumentClassifiers", (ClassifierRow.id,), bound)
        with self.bench.db.reading(ctx.scope) as session:
            page = self.bench.paginator.page(
                session, query, listing, page_size(params), params.get("NextToken")
            )
            return page.output("DocumentClassifierPropertiesList", properties)

    def stop_training_document_classifier(self, ctx: RequestContext, arn: str) -> Shape:
        check_arn_scope(ctx, arn)
        with self.bench.db.transaction(ctx.scope) as session:
            row = find_classifier(session, arn)
            if row.status in ("SUBMITTED", "TRAINING"):
                row.status = "STOP_REQUESTED"
                self.bench.jobs.cancel(session, training.KIND, str(row.id))
        return {}

    def delete_document_classifier(self, ctx: RequestContext, arn: str) -> Shape:
        check_arn_scope(ctx, arn)
        with self.bench.db.transaction(ctx.scope) as session:
            row = find_classifier(session, arn)
            if running(row):
                raise ResourceInUseException(
                    f"The document classifier {arn} is {row.status}; stop its training "
                    "(StopTrainingDocumentClassifier) and delete it once it is STOPPED."
                )
            busy = session.scalar(
                select(ClassificationJobRow.job_id).where(
                    ClassificationJobRow.classifier_arn == arn,
                    ClassificationJobRow.status.in_(("SUBMITTED", "IN_PROGRESS")),
                )
            )
            if busy is not None:
                raise ResourceInUseException(
                    f"The classification job {busy} uses the document classifier {arn}."
                )
            endpoint = session.scalar(
                select(EndpointRow.arn).where(
                    or_(EndpointRow.model_arn == arn, EndpointRow.desired_model_arn == arn)
                )
            )
            if endpoint is not None:
                raise ResourceInUseException(
                    f"The document classifier {arn} is used by the endpoint {endpoint}; "
                    "delete the endpoint first."
                )
            tagging.remove_all(session, arn)
            session.delete(row)
        return {}


def _request(params: Shape) -> Shape:
    if params["LanguageCode"] not in LANGUAGES:
        raise UnsupportedLanguageException(
            f"Custom classification is not available for language '{params['LanguageCode']}' "
            f"on this server; supported: {', '.join(sorted(LANGUAGES))}"
        )
    config = params["InputDataConfig"]
    data_format = config.get("DataFormat") or "COMPREHEND_CSV"
    if data_format != "COMPREHEND_CSV" or config.get("AugmentedManifests"):
        raise InvalidRequestException(
            "Only DataFormat COMPREHEND_CSV (label,text rows) is supported on this server; "
            "AUGMENTED_MANIFEST is not implemented."
        )
    if config.get("Documents") or config.get("DocumentReaderConfig"):
        raise InvalidRequestException(
            "Only plain-text training data (InputDataConfig.S3Uri) is supported on this server."
        )
    if not config.get("S3Uri"):
        raise InvalidRequestException("InputDataConfig.S3Uri is required for COMPREHEND_CSV.")
    mode = params.get("Mode") or "MULTI_CLASS"
    if "LabelDelimiter" in config and mode != "MULTI_LABEL":
        raise InvalidRequestException("LabelDelimiter applies only to Mode MULTI_LABEL.")
    request: dict[str, Any] = {key: params[key] for key in _ECHOED if key in params}
    request["InputDataConfig"] = {**config, "DataFormat": data_format}
    request["Mode"] = mode
    return request


def properties(row: ClassifierRow) -> Shape:
    """DocumentClassifierProperties of a classifier row."""
    answer: Shape = {
        "DocumentClassifierArn": row.arn,
        "Status": row.status,
        "SubmitTime": aware(row.created_at),
        **row.request,
    }
    if row.message:
        answer["Message"] = row.message
    if row.ended_at:
        answer["EndTime"] = aware(row.ended_at)
    if row.training_started_at:
        answer["TrainingStartTime"] = aware(row.training_started_at)
    if row.training_ended_at:
        answer["TrainingEndTime"] = aware(row.training_ended_at)
    if row.classifier_metadata:
        answer["ClassifierMetadata"] = row.classifier_metadata
    return answer


def running(row: ClassifierRow) -> bool:
    return row.status in _RUNNING
