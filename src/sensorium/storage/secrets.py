"""Keys the server keeps for itself (the pagination-token key), stored in the database so
that every node of a cluster signs and checks with the same one."""

from __future__ import annotations

import secrets

from sqlalchemy import LargeBinary, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from sensorium.storage.database import Database
from sensorium.storage.owned import UNSCOPED
from sensorium.storage.tables import Base

KEY_BYTES = 32


class ServerSecret(Base):
    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


def server_key(db: Database, name: str) -> bytes:
    """The key called ``name``, made on first use."""
    for _ in range(2):
        with db.reading(UNSCOPED) as session:
            found = session.scalar(select(ServerSecret.value).where(ServerSecret.name == name))
        if found is not None:
            return found
        try:
            with db.transaction(UNSCOPED) as session:
                session.add(ServerSecret(name=name, value=secrets.token_bytes(KEY_BYTES)))
        except IntegrityError:  # another node made it first: read theirs
            continue
    with db.reading(UNSCOPED) as session:
        return session.execute(
            select(ServerSecret.value).where(ServerSecret.name == name)
        ).scalar_one()
