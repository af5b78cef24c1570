"""Custom vocabularies: lists of phrases, applied to decoding as Whisper hotwords."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sensorium.blobs import Buckets, parse_s3_uri
from sensorium.context import RequestContext
from sensorium.errors import BlobError, BlobNotFound, ServiceError
from sensorium.services.transcribe.errors import (
    BadRequestException,
    ConflictException,
    NotFoundException,
)
from sensorium.services.transcribe.tables import VocabularyRow
from sensorium.storage.database import Database
from sensorium.storage.paging import Listing, Page, Paginator

MAX_PHRASE_CHARS = 256
MAX_VOCABULARY_BYTES = 50 * 1024  # AWS's limit for a custom vocabulary
DEFAULT_PAGE_SIZE = 5  # AWS's default MaxResults


def hotwords(phrases: list[str]) -> str:
    """Phrases as one hotword prompt. Transcribe joins a phrase's words with hyphens."""
    return ", ".join(re.sub(r"(?<=\w)-(?=\w)", " ", phrase) for phrase in phrases)


def not_found(name: str) -> ServiceError:
    return NotFoundException(
        f"The requested vocabulary {name} couldn't be found. Check the vocabulary name and "
        "try your request again.",
    )


def find(session: Session, name: str) -> VocabularyRow | None:
    """The vocabulary of the session's account and region."""
    return session.scalar(select(VocabularyRow).filter_by(name=name))


@dataclass(frozen=True)
class VocabularyInput:
    """What CreateVocabulary and UpdateVocabulary give."""

    name: str
    language_code: str
    phrases: list[str] | None
    file_uri: str | None

    @classmethod
    def of(cls, params: dict[str, Any]) -> VocabularyInput:
        return cls(
            params["VocabularyName"],
            params["LanguageCode"],
            params.get("Phrases"),
            params.get("VocabularyFileUri"),
        )


class VocabularyService:
    def __init__(
        self, db: Database, blobs: Buckets, paginator: Paginator, service_bucket: str
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.paginator = paginator
        self.service_bucket = service_bucket

    def download_url(self, ctx: RequestContext, row: VocabularyRow) -> str | None:
        """GetVocabulary's ``DownloadUri``: the vocabulary's phrases, one a line, rendered
        into the account's folder of Transcribe's bucket and handed out presigned, as AWS
        does; None while the vocabulary is not READY."""
        if row.state != "READY":
            return None
        key = self._file_key(ctx, row.name)
        text = "".join(f"{phrase}\n" for phrase in row.phrases)
        self.blobs.write(ctx.scope, self.service_bucket, key, text.encode())
        return self.blobs.presigned_url(ctx, self.service_bucket, key)

    @staticmethod
    def _file_key(ctx: RequestContext, name: str) -> str:
        # Job names have no "/": no transcript (ACCOUNT/REGION/JOB.json) shares this key.
        return f"{ctx.account_id}/{ctx.region}/vocabularies/{name}.txt"

    def create(self, ctx: RequestContext, given: VocabularyInput) -> VocabularyRow:
        try:
            with self.db.transaction(ctx.scope) as session:
                if find(session, given.name) is not None:
                    raise _conflict(given.name)
                row = VocabularyRow(name=given.name)
                self._fill(ctx, row, given)
                session.add(row)
        except IntegrityError:  # a concurrent create won the race
            raise _conflict(given.name) from None
        return row

    def update(self, ctx: RequestContext, given: VocabularyInput) -> VocabularyRow:
        with self.db.transaction(ctx.scope) as session:
            row = find(session, given.name)
            if row is None:
                raise not_found(given.name)
            self._fill(ctx, row, given)
        return row

    def _fill(self, ctx: RequestContext, row: VocabularyRow, given: VocabularyInput) -> None:
        loaded, failure = self._phrases(ctx, given.phrases, given.file_uri)
        row.language_code = given.language_code
        row.phrases = loaded
        row.state = "FAILED" if failure else "READY"
        row.failure_reason = failure

    def get(self, ctx: RequestContext, name: str) -> VocabularyRow:
        with self.db.reading(ctx.scope) as session:
            row = find(session, name)
        if row is None:
            raise not_found(name)
        return row

    def delete(self, ctx: RequestContext, name: str) -> None:
        with self.db.transaction(ctx.scope) as session:
            row = find(session, name)
            if row is None:
                raise not_found(name)
            session.delete(row)
        with contextlib.suppress(BlobError):
            self.blobs.delete(ctx.scope, self.service_bucket, self._file_key(ctx, name))

    def page(
        self,
        ctx: RequestContext,
        state: str | None,
        name_contains: str | None,
        max_results: int | None,
        token: str | None,
    ) -> Page[VocabularyRow]:
        query = select(VocabularyRow)
        if state:
            query = query.where(VocabularyRow.state == state)
        if name_contains:
            # Transcribe matches names case-insensitively.
            query = query.where(VocabularyRow.name.icontains(name_contains, autoescape=True))
        listing = Listing("ListVocabularies", (VocabularyRow.name,), [state, name_contains])
        with self.db.reading(ctx.scope) as session:
            return self.paginator.page(
                session, query, listing, max_results or DEFAULT_PAGE_SIZE, token
            )

    def _phrases(
        self, ctx: RequestContext, phrases: list[str] | None, file_uri: str | None
    ) -> tuple[list[str], str | None]:
        """The vocabulary's phrases and, when the file cannot be used, why (state FAILED)."""
        if bool(phrases) == bool(file_uri):
            raise BadRequestException("Specify either Phrases or VocabularyFileUri, not both.")
        if phrases:
            return _checked(phrases), None
        assert file_uri is not None
        try:
            bucket, key = parse_s3_uri(file_uri)
            data = self.blobs.read(ctx.scope, bucket, key, max_bytes=MAX_VOCABULARY_BYTES)
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
        raise BadRequestException("A vocabulary needs at least one phrase.")
    too_long = [phrase for phrase in cleaned if len(phrase) > MAX_PHRASE_CHARS]
    if too_long:
        raise BadRequestException(
            f"Phrases may have at most {MAX_PHRASE_CHARS} characters: {too_long[0][:40]!r}...",
        )
    if sum(len(phrase.encode()) + 1 for phrase in cleaned) > MAX_VOCABULARY_BYTES:
        raise BadRequestException("The vocabulary is larger than 50 KB.")
    return cleaned


def _conflict(name: str) -> ServiceError:
    return ConflictException(
        f"The requested vocabulary name {name} already exists. Use a different name.",
    )
