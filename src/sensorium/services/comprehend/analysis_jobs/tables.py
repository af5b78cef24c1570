"""The asynchronous analysis jobs' table (migration 0014): one row per Start*DetectionJob of
any type, ``job_type`` naming which."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sensorium.storage.owned import Owned
from sensorium.storage.tables import Base


class AnalysisJobRow(Owned, Base):
    """A Start*DetectionJob; ``created_at`` is its SubmitTime."""

    __tablename__ = "comprehend_analysis_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(32), unique=True)
    job_type: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str | None] = mapped_column(String(256), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The request's members that Describe echoes (InputDataConfig, LanguageCode, Mode...).
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    client_token: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # Where the output goes (the archive, or PII's folder of ``.out`` files), set at start.
    output_uri: Mapped[str] = mapped_column(String(1100))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
