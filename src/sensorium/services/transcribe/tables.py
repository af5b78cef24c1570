"""Transcribe's tables: transcription jobs and custom vocabularies (migrations 0003, 0007)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sensorium.storage.owned import Owned
from sensorium.storage.tables import Base


class TranscriptionJobRow(Owned, Base):
    """A transcription job as Transcribe shows it; the job system's row does the running."""

    __tablename__ = "transcription_jobs"
    __table_args__ = (UniqueConstraint("account_id", "region", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)
    # The request as given (Media, LanguageCode, Settings, Output*...), echoed by Get.
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    language_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    identified_language_score: Mapped[float | None] = mapped_column(nullable=True)
    media_format: Mapped[str | None] = mapped_column(String(8), nullable=True)
    sample_rate: Mapped[int | None] = mapped_column(Integer, nullable=True)
    output_bucket: Mapped[str] = mapped_column(String(255))
    output_key: Mapped[str] = mapped_column(String(1100))
    customer_bucket: Mapped[bool]
    transcript_uri: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class VocabularyRow(Owned, Base):
    __tablename__ = "transcribe_vocabularies"
    __table_args__ = (UniqueConstraint("account_id", "region", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    language_code: Mapped[str] = mapped_column(String(16))
    phrases: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
