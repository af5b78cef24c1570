"""Custom vocabularies: lists of phrases, applied to decoding as Whisper hotwords."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sensorium.blobs import BlobStore, parse_s3_uri
from sensorium.context import RequestContext
from sensorium.errors import BlobError, BlobNotFound, ServiceError
from sensorium.services.pagination import BadToken, make_token, read_token
from sensorium.services.transcribe.tables import VocabularyRow
from sensorium.storage.database import Database

MAX_PHRASE_CHARS = 256
MAX_VOCABULARY_BYTES = 50 * 1024  # AWS's limit for a custom vocabulary
DEFAULT_PAGE_SIZE = 5  # AWS's default MaxResults


def hotwords(phrases: list[str]) -> str:
    """Phrases as one hotword prompt. Transcribe joins a phrase's words with hyphens."""
    return ", ".join(re.sub(r"(?<=\w)-(?=\w)", " ", phrase) for phrase in phrases)


def not_found(name: str) -> ServiceError:
    return ServiceError(
        "NotFoundException",
        f"The requested vocabulary {name} couldn't be found. Check the vocabulary name and "
        "try your request again.",
    )


def find(session: Session, ctx: RequestContext, name: str) -> VocabularyRow | None:
    return session.scalar(
        select(VocabularyRow).filter_by(account_id=ctx.account_id, region=ctx.region, name=name)
    )


class VocabularyService:
    def __init__(self, db: Database, blobs: BlobStore) -> None:
        self.db = db
        self.blobs = blobs

    def create(
        self,
        ctx: RequestContext,
        name: str,
        language_code: str,
        phrases: list[str] | None,
        file_uri: str | None,
    ) -> VocabularyRow:
        loaded, failure = self._phrases(phrases, file_uri)
        try:
            with self.db.transaction() as session:
                if find(session, ctx, name) is not None:
                    raise _conflict(name)
                row = VocabularyRow(
                    account_id=ctx.account_id,
                    region=ctx.region,
                    name=name,
                    language_code=language_code,
                    phrases=loaded,
                    state="FAILED" if failure else "READY",
                    failure_reason=failure,
                    modified_at=dt.datetime.now(dt.UTC),
                )
                session.add(row)
        except IntegrityError:  # a concurrent create won the race
            raise _conflict(name) from None
        return row

    def update(
        self,
        ctx: RequestContext,
        name: str,
        language_code: str,
        phrases: list[str] | None,
        file_uri: str | None,
    ) -> VocabularyRow:
        loaded, failure = self._phrases(phrases, file_uri)
        with self.db.transaction() as session:
            row = find(session, ctx, name)
            if row is None:
                raise not_found(name)
            row.language_code = language_code
            row.phrases = loaded
            row.state = "FAILED" if failure else "READY"
            row.failure_reason = failure
            row.modified_at = dt.datetime.now(dt.UTC)
        return row

    def get(self, ctx: RequestContext, name: str) -> VocabularyRow:
        with self.db.reading() as session:
            row = find(session, ctx, name)
        if row is None:
            raise not_found(name)
        return row

    def delete(self, ctx: RequestContext, name: str) -> None:
        with self.db.transaction() as session:
            row = find(session, ctx, name)
            if row is None:
                raise not_found(name)
            session.delete(row)

    def page(
        self,
        ctx: RequestContext,
        state: str | None,
        name_contains: str | None,
        max_results: int | None,
        token: str | None,
    ) -> tuple[list[VocabularyRow], str | None]:
        scope = f"vocabularies:{ctx.account_id}:{ctx.region}:{state}:{name_contains}"
        after = ""
        if token:
            try:
                after = str(read_token(scope, token))
            except BadToken:
                raise ServiceError("BadRequestException", "Invalid NextToken.") from None
        limit = max_results or DEFAULT_PAGE_SIZE
        query = select(VocabularyRow).where(
            VocabularyRow.account_id == ctx.account_id,
            VocabularyRow.region == ctx.region,
            VocabularyRow.name > after,
        )
        if state:
            query = query.where(VocabularyRow.state == state)
        if name_contains:
            # Transcribe matches names case-insensitively.
            query = query.where(VocabularyRow.name.icontains(name_contains, autoescape=True))
        with self.db.reading() as session:
            rows = list(session.scalars(query.order_by(VocabularyRow.name).limit(limit + 1)))
        next_token = make_token(scope, rows[limit - 1].name) if len(rows) > limit else None
        return rows[:limit], next_token

    def _phrases(
        self, phrases: list[str] | None, file_uri: str | None
    ) -> tuple[list[str], str | None]:
        """The vocabulary's phrases and, when the file cannot be used, why (state FAILED)."""
        if bool(phrases) == bool(file_uri):
            raise ServiceError(
                "BadRequestException", "Specify either Phrases or VocabularyFileUri, not both."
            )
        if phrases:
            return _checked(phrases), None
        assert file_uri is not None
        try:
            bucket, key = parse_s3_uri(file_uri)
            data = self.blobs.read(bucket, key, max_bytes=MAX_VOCABULARY_BYTES)
        except BlobNotFound:
            return [], f"The vocabulary file {file_uri} doesn't exist."
        except BlobError as error:
            return [], f"The vocabulary file {file_uri} can't be read: {error}"
        try:
            return _checked(_parse_file(data.decode("utf-8"))), None
        except UnicodeDecodeError:
            return [], "The vocabulary file is not UTF-8 text."
        except ServiceError as error:
            return [], error.message


def _parse_file(text: str) -> list[str]:
    """A list vocabulary (one phrase a line) or a table one (tab separated, 'Phrase' column)."""
    lines = [line.rstrip("\r") for line in text.splitlines() if line.strip()]
    if lines and lines[0].split("\t")[0].strip().lower() == "phrase" and "\t" in lines[0]:
        return [line.split("\t")[0].strip() for line in lines[1:]]
    return [line.strip() for line in lines]


def _checked(phrases: list[str]) -> list[str]:
    cleaned = [phrase.strip() for phrase in phrases]
    if not cleaned or any(not phrase for phrase in cleaned):
        raise ServiceError("BadRequestException", "A vocabulary needs at least one phrase.")
    too_long = [phrase for phrase in cleaned if len(phrase) > MAX_PHRASE_CHARS]
    if too_long:
        raise ServiceError(
            "BadRequestException",
            f"Phrases may have at most {MAX_PHRASE_CHARS} characters: {too_long[0][:40]!r}...",
        )
    if sum(len(phrase.encode()) + 1 for phrase in cleaned) > MAX_VOCABULARY_BYTES:
        raise ServiceError("BadRequestException", "The vocabulary is larger than 50 KB.")
    return cleaned


def _conflict(name: str) -> ServiceError:
    return ServiceError(
        "ConflictException",
        f"The requested vocabulary name {name} already exists. Use a different name.",
    )
