"""Polly's tables: pronunciation lexicons and long-form synthesis tasks."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sensorium.storage.owned import Owned
from sensorium.storage.tables import Base


class PollyLexicon(Owned, Base):
    __tablename__ = "polly_lexicons"
    __table_args__ = (UniqueConstraint("account_id", "region", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    alphabet: Mapped[str] = mapped_column(String(16))
    language_code: Mapped[str] = mapped_column(String(16))
    lexemes_count: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)


class PollyTask(Owned, Base):
    """A long-form synthesis task as Polly shows it; the job system's row does the running."""

    __tablename__ = "polly_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # scheduled|inProgress|completed|failed
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    request: Mapped[str] = mapped_column(Text)  # the StartSpeechSynthesisTask input, JSON
    output_uri: Mapped[str] = mapped_column(String(1024))
    request_characters: Mapped[int] = mapped_column(Integer)
