"""The work of an analysis job (``comprehend.analysis``): every document under the input
S3Uri analysed by the model its Detect operation uses, the answers written where AWS writes
them (``service.output_uri``):

- entities, key phrases, sentiment, dominant language: ``output.tar.gz`` holding ``output``,
  one JSON line per document: the Detect operation's answer, File, and (ONE_DOC_PER_LINE)
  Line, the zero-based line number;
- PII, ONLY_OFFSETS: ``<file>.out`` per input file (plain text), those JSON lines;
- PII, ONLY_REDACTION: ``<file>.out`` per input file, the file with its PII redacted.
"""

from __future__ import annotations

import abc
import io
import json
import tarfile
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from sensorium.blobs import Buckets, parse_s3_uri
from sensorium.context import Scope
from sensorium.jobs import JobFailed, JobKind, JobRow, RunningJob
from sensorium.services.comprehend.analysis_jobs.jobtypes import PII, TYPES, AnalysisType
from sensorium.services.comprehend.analysis_jobs.redaction import Redaction
from sensorium.services.comprehend.analysis_jobs.service import KIND
from sensorium.services.comprehend.analysis_jobs.tables import AnalysisJobRow
from sensorium.services.comprehend.classifiers import objects
from sensorium.services.comprehend.classifiers.objects import Document, InputFile
from sensorium.storage.database import Database
from sensorium.storage.owned import utcnow

Shape = dict[str, Any]
# The Detect operation's answer for each text (limits checked already).
Analyzer = Callable[[Sequence[str]], list[Shape]]
MAX_FILE_BYTES = 10 * 1024**2  # this server's bound on one input file (read whole)
MAX_TOTAL_BYTES = 5 * 1024**3  # AWS's limit on a job's whole input
BATCH = 32  # documents per model call
OVERSIZED = "DOCUMENT_SIZE_EXCEEDED"


class AnalysisKind(JobKind[None]):
    name = KIND

    def __init__(self, db: Database, blobs: Buckets, analyzers: Mapping[str, Analyzer]) -> None:
        self.db = db
        self.blobs = blobs
        self.analyzers = analyzers

    def run(self, job: RunningJob) -> None:
        with self.db.reading(job.scope) as session:
            row = session.get(AnalysisJobRow, int(job.resource))
            if row is None:
                raise JobFailed("The job was deleted.")
            kind, request, output = TYPES[row.job_type], dict(row.request), row.output_uri
        config = request["InputDataConfig"]
        per_line = config["InputFormat"] == "ONE_DOC_PER_LINE"
        sink = _sink(kind, request, self.blobs, job.scope, output)
        files = objects.input_files(
            self.blobs, job, config["S3Uri"], MAX_FILE_BYTES, MAX_TOTAL_BYTES
        )
        for fraction, file in files:
            documents = objects.documents(file, per_line)
            sink.add(file, documents, self._answers(job, kind, documents))
            job.progress(fraction)
        sink.finish()

    def _answers(
        self, job: RunningJob, kind: AnalysisType, documents: list[Document]
    ) -> list[Shape]:
        answers: list[Shape] = [{} for _ in documents]
        fitting = []
        for index, document in enumerate(documents):
            size = len(document.text.encode("utf-8"))
            if size <= kind.max_document_bytes:
                fitting.append(index)
                continue
            answers[index] = {
                "ErrorCode": OVERSIZED,
                "ErrorMessage": f"Document size {size} bytes exceeds the maximum size of "
                f"{kind.max_document_bytes} bytes",
            }
        analyze = self.analyzers[kind.stem]
        for start in range(0, len(fitting), BATCH):
            job.check()
            chunk = fitting[start : start + BATCH]
            found = analyze([documents[index].text for index in chunk])
            for index, answer in zip(chunk, found, strict=True):
                answers[index] = answer
        return answers

    def started(self, session: Session, job: JobRow) -> None:
        if (row := self._row(session, job)) is not None and row.status == "SUBMITTED":
            row.status = "IN_PROGRESS"

    def succeeded(self, session: Session, job: JobRow, outcome: None) -> dict[str, Any] | None:
        self._end(session, job, "COMPLETED")
        return None

    def failed(self, session: Session, job: JobRow, reason: str) -> None:
        self._end(session, job, "FAILED", reason)

    def cancelled(self, session: Session, job: JobRow) -> None:
        self._end(session, job, "STOPPED")

    def requeued(self, session: Session, job: JobRow) -> None:
        if (row := self._row(session, job)) is not None and row.status == "IN_PROGRESS":
            row.status = "SUBMITTED"

    @staticmethod
    def _row(session: Session, job: JobRow) -> AnalysisJobRow | None:
        return session.get(AnalysisJobRow, int(job.resource))

    def _end(self, session: Session, job: JobRow, status: str, message: str | None = None) -> None:
        if (row := self._row(session, job)) is not None:
            row.status = status
            row.message = message
            row.ended_at = utcnow()


class _Sink(abc.ABC):
    """Where a job's answers go, file by file."""

    def __init__(self, blobs: Buckets, scope: Scope, output: str) -> None:
        self.blobs, self.scope = blobs, scope
        self.bucket, self.key = parse_s3_uri(output)

    @abc.abstractmethod
    def add(self, file: InputFile, documents: list[Document], answers: list[Shape]) -> None:
        """One input file's documents and their answers."""

    @abc.abstractmethod
    def finish(self) -> None:
        """Every file was added."""

    def write(self, key: str, data: bytes) -> None:
        objects.write(self.blobs, self.scope, self.bucket, key, data)


def _sink(kind: AnalysisType, request: Shape, blobs: Buckets, scope: Scope, output: str) -> _Sink:
    if kind is not PII:
        return _Archive(blobs, scope, output)
    if request["Mode"] == "ONLY_REDACTION":
        return _Redacted(blobs, scope, output, Redaction.of(request["RedactionConfig"]))
    return _Offsets(blobs, scope, output)


def _lines(documents: list[Document], answers: list[Shape]) -> list[str]:
    lines = []
    for document, answer in zip(documents, answers, strict=True):
        place: Shape = {"File": document.file}
        if document.line is not None:
            place["Line"] = document.line
        lines.append(json.dumps({**answer, **place}, ensure_ascii=False))
    return lines


class _Archive(_Sink):
    """``output.tar.gz`` holding ``output``, the JSON lines of every file."""

    def __init__(self, blobs: Buckets, scope: Scope, output: str) -> None:
        super().__init__(blobs, scope, output)
        self.lines: list[str] = []

    def add(self, file: InputFile, documents: list[Document], answers: list[Shape]) -> None:
        self.lines.extend(_lines(documents, answers))

    def finish(self) -> None:
        body = "".join(line + "\n" for line in self.lines).encode("utf-8")
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            member = tarfile.TarInfo("output")
            member.size = len(body)
            archive.addfile(member, io.BytesIO(body))
        self.write(self.key, buffer.getvalue())


class _Offsets(_Sink):
    """``<file>.out``: the file's JSON lines."""

    def add(self, file: InputFile, documents: list[Document], answers: list[Shape]) -> None:
        body = "".join(line + "\n" for line in _lines(documents, answers))
        self.write(f"{self.key}{file.name}.out", body.encode("utf-8"))

    def finish(self) -> None:
        """Each file was written as it was added."""


class _Redacted(_Sink):
    """``<file>.out``: the file with each chosen entity redacted, its line breaks kept."""

    def __init__(self, blobs: Buckets, scope: Scope, output: str, redaction: Redaction) -> None:
        super().__init__(blobs, scope, output)
        self.redaction = redaction

    def add(self, file: InputFile, documents: list[Document], answers: list[Shape]) -> None:
        pieces = objects.LINE_BREAK.split(file.text)  # lines, with their breaks between
        for document, answer in zip(documents, answers, strict=True):
            if "ErrorCode" in answer:
                where = file.name if document.line is None else f"{file.name} line {document.line}"
                # Never written unredacted: the whole job fails instead.
                raise JobFailed(f"{where} cannot be redacted: {answer['ErrorMessage']}.")
            redacted = self.redaction.redact(document.text, answer["Entities"])
            if document.line is None:
                pieces = [redacted]
            else:
                pieces[2 * document.line] = redacted
        self.write(f"{self.key}{file.name}.out", "".join(pieces).encode("utf-8"))

    def finish(self) -> None:
        """Each file was written as it was added."""
