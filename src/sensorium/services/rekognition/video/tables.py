"""Rekognition Video's tables (migration 0011): one row per video analysis job, and its
results, one row per detection, paged in the order the Get operation sorts by."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sensorium.storage.owned import Owned
from sensorium.storage.tables import Base


class VideoJobRow(Owned, Base):
    """A Start* job as Get* shows it; the job system's row does the running."""

    __tablename__ = "rekognition_video_jobs"
    __table_args__ = (UniqueConstraint("account_id", "region", "operation", "client_token"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64), unique=True)
    operation: Mapped[str] = mapped_column(String(32))  # "FaceDetection", "FaceSearch"
    status: Mapped[str] = mapped_column(String(16))  # IN_PROGRESS, SUCCEEDED, FAILED
    # The request as given (Video, CollectionId, JobTag, NotificationChannel...).
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    client_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The video's metadata once the job has finished; while a face job runs, its last
    # checkpoint (``{"Checkpoint": ...}``, service.py), whose results rows are already written.
    video_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    status_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class VideoResultRow(Owned, Base):
    """One detection of a finished job (a face at a timestamp, a person's match...)."""

    __tablename__ = "rekognition_video_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_pk: Mapped[int] = mapped_column(
        ForeignKey("rekognition_video_jobs.id", ondelete="CASCADE"), index=True
    )
    timestamp: Mapped[int] = mapped_column(Integer)  # milliseconds from the video's start
    # Face search: Person.Index. Labels: the label's rank by name, from 0 for a per-frame
    # row, below 0 for an AggregateBy=SEGMENTS row (analyses.segment_index).
    person_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    item: Mapped[dict[str, Any]] = mapped_column(JSON)
