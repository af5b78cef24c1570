"""Lex's tables (migrations 0005, 0007).

Model-building resources (bots, locales, intents, slot types, slots, versions, aliases) share
one table: each row is a resource's modelled description as JSON, addressed by its place in
the bot (bot, version, locale, intent) and its own id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from sensorium.storage.owned import Owned
from sensorium.storage.tables import Base


class LexResource(Owned, Base):
    __tablename__ = "lex_resources"
    __table_args__ = (
        UniqueConstraint(
            "account_id", "region", "kind", "bot_id", "bot_version", "locale_id", "intent_id",
            "resource_id",
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    bot_id: Mapped[str] = mapped_column(String(10), index=True)
    bot_version: Mapped[str] = mapped_column(String(5))  # "" where it does not apply
    locale_id: Mapped[str] = mapped_column(String(16))
    intent_id: Mapped[str] = mapped_column(String(10))
    resource_id: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class LexModel(Owned, Base):
    """The networks a build trained for one bot locale version."""

    __tablename__ = "lex_models"
    __table_args__ = (
        UniqueConstraint("account_id", "region", "bot_id", "bot_version", "locale_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bot_id: Mapped[str] = mapped_column(String(10))
    bot_version: Mapped[str] = mapped_column(String(5))
    locale_id: Mapped[str] = mapped_column(String(16))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)  # intents and slots it serves
    weights: Mapped[bytes] = deferred(mapped_column(LargeBinary))  # read when a bot loads
    built_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LexSession(Owned, Base):
    __tablename__ = "lex_sessions"
    __table_args__ = (
        UniqueConstraint("account_id", "region", "bot_id", "alias_id", "locale_id", "session_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bot_id: Mapped[str] = mapped_column(String(10), index=True)
    alias_id: Mapped[str] = mapped_column(String(10))
    locale_id: Mapped[str] = mapped_column(String(16))
    session_id: Mapped[str] = mapped_column(String(100))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
