"""Forecast's one table: every resource (dataset groups, datasets, import jobs, predictors,
forecasts, export jobs) with its status, request, computed details and data (migrations 0006,
0007).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from sensorium.storage.owned import Owned
from sensorium.storage.tables import Base


class ForecastResource(Owned, Base):
    __tablename__ = "forecast_resources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(63))
    arn: Mapped[str] = mapped_column(String(256), unique=True)
    parent_arn: Mapped[str | None] = mapped_column(String(256), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The create request as given, echoed by Describe.
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What the job computed (field statistics, metrics, the algorithm chosen...); the ARNs
    # a resource was made from, which List Filters match, are under "links".
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The resource's data (imported series, predictive distribution, forecast), npz bytes.
    payload: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
