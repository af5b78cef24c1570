"""Custom classification's tables (migration 0013): document classifiers with their trained
heads, the endpoints that serve them, and asynchronous classification jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from sensorium.storage.owned import Owned
from sensorium.storage.tables import Base


class ClassifierRow(Owned, Base):
    """A document classifier (one version of it); ``created_at`` is its SubmitTime."""

    __tablename__ = "comprehend_classifiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arn: Mapped[str] = mapped_column(String(256), unique=True)
    name: Mapped[str] = mapped_column(String(63), index=True)
    version_name: Mapped[str | None] = mapped_column(String(63), nullable=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The create request's members that Describe echoes (InputDataConfig, Mode...).
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    client_token: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    classifier_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The trained head (safetensors bytes, ``models/text/custom_classifier.py``).
    model: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    training_started_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    training_ended_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class EndpointRow(Owned, Base):
    """An endpoint serving a classifier; ``created_at`` is its CreationTime."""

    __tablename__ = "comprehend_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arn: Mapped[str] = mapped_column(String(256), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), index=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    model_arn: Mapped[str] = mapped_column(String(256), index=True)
    desired_model_arn: Mapped[str | None] = mapped_column(String(256), nullable=True, index=True)
    desired_units: Mapped[int] = mapped_column(Integer)
    current_units: Mapped[int] = mapped_column(Integer)
    role_arn: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    client_token: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class ClassificationJobRow(Owned, Base):
    """A StartDocumentClassificationJob; ``created_at`` is its SubmitTime."""

    __tablename__ = "comprehend_classification_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str | None] = mapped_column(String(256), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    classifier_arn: Mapped[str] = mapped_column(String(256), index=True)
    # The request's members that Describe echoes (InputDataConfig, OutputDataConfig...).
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    client_token: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    output_uri: Mapped[str | None] = mapped_column(String(1100), nullable=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
