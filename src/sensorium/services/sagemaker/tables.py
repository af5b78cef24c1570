"""SageMaker's one table: training jobs, models, endpoint configs and endpoints (migration
0012), each with its status, the create request as given and what its jobs computed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sensorium.storage.owned import Owned
from sensorium.storage.tables import Base


class SageMakerResource(Owned, Base):
    __tablename__ = "sagemaker_resources"
    __table_args__ = (UniqueConstraint("account_id", "region", "kind", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(63))
    arn: Mapped[str] = mapped_column(String(256), unique=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What its jobs computed: status transitions, metrics, times, the artefact, the model
    # an endpoint serves.
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
