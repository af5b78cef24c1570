"""Rekognition Video on stored video: Start* persists a job, the job system runs it, Get*
pages its results.

A job row is IN_PROGRESS from Start (AWS shows no queued state), then SUCCEEDED with one
result row per detection, or FAILED with a StatusMessage. Frames are sampled
(``SENSORIUM_VIDEO_SAMPLE_FPS``, plus each scene's first key frame) and analysed with the same
face engine and calibration as the image operations; a simple tracker gives each person one
index for the whole video. Face jobs checkpoint every ``SENSORIUM_VIDEO_CHECKPOINT_SECONDS``
of video and a job run again after a crash resumes from its last checkpoint (``_frames``).
Segment, label and text detection are ``analyses.py``.
NotificationChannel is accepted and stored, never delivered
(no SNS here): poll Get*.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sensorium.blobs import Buckets
from sensorium.blobs.store import LocalBuckets, S3Buckets
from sensorium.config import VideoSettings
from sensorium.context import RequestContext, Scope
from sensorium.errors import BlobAccessDenied, BlobError, BlobNotFound, InvalidBlobKey
from sensorium.jobs import JobFailed, JobKind, JobRow, JobSystem, RunningJob
from sensorium.models.faces.bands import band_of
from sensorium.models.labels import LABEL_MODEL_VERSION
from sensorium.models.ocr import TEXT_MODEL_VERSION
from sensorium.models.registry import ModelRegistry
from sensorium.models.video import (
    FaceTracker,
    UnsupportedVideo,
    VideoInfo,
    VideoTooLong,
    open_video,
)
from sensorium.services.rekognition import shapes
from sensorium.services.rekognition.errors import (
    InvalidParameterException,
    InvalidS3ObjectException,
    ResourceNotFoundException,
)
from sensorium.services.rekognition.faces import DEFAULT_THRESHOLD, FaceService
from sensorium.services.rekognition.video import analyses
from sensorium.services.rekognition.video.analyses import (
    LABEL_DETECTION,
    SEGMENT_DETECTION,
    TEXT_DETECTION,
)
from sensorium.services.rekognition.video.errors import (
    IdempotentParameterMismatchException,
    VideoTooLargeException,
)
from sensorium.services.rekognition.video.tables import VideoJobRow, VideoResultRow
from sensorium.storage.database import Database
from sensorium.storage.owned import utcnow
from sensorium.storage.paging import Listing, Paginator

Shape = dict[str, Any]
KIND = "rekognition.video"
DEFAULT_PAGE_SIZE = 1000  # AWS's default and largest MaxResults for the Get operations
FACE_DETECTION = "FaceDetection"
FACE_SEARCH = "FaceSearch"
CHECKPOINT = "Checkpoint"  # the video_metadata member a running face job saves itself in
Result = tuple[int, int | None, Shape]
_log = logging.getLogger("sensorium.video")
# Start* members that are the request itself (not its idempotency token).
_ECHOED = (
    "Video",
    "CollectionId",
    "FaceMatchThreshold",
    "FaceAttributes",
    "JobTag",
    "SegmentTypes",
    "Filters",
    "MinConfidence",
    "Features",
    "Settings",
)


class VideoService:
    def __init__(
        self,
        db: Database,
        blobs: Buckets,
        jobs: JobSystem,
        faces: FaceService,
        paginator: Paginator,
        settings: VideoSettings,
        models: ModelRegistry | None = None,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.jobs = jobs
        self.faces = faces
        self.paginator = paginator
        self.settings = settings
        self.models = models
        jobs.register(VideoKind(self))

    # Start

    def start_face_detection(self, ctx: RequestContext, params: Shape) -> Shape:
        attributes = params.get("FaceAttributes", "DEFAULT")
        if attributes not in ("DEFAULT", "ALL"):
            raise InvalidParameterException("FaceAttributes must be DEFAULT or ALL.")
        return {"JobId": self._start(ctx, FACE_DETECTION, params)}

    def start_face_search(self, ctx: RequestContext, params: Shape) -> Shape:
        with self.db.reading(ctx.scope) as session:
            self.faces.collection(session, params["CollectionId"])  # ResourceNotFound
        return {"JobId": self._start(ctx, FACE_SEARCH, params)}

    def start_segment_detection(self, ctx: RequestContext, params: Shape) -> Shape:
        return {"JobId": self._start(ctx, SEGMENT_DETECTION, params)}

    def start_label_detection(self, ctx: RequestContext, params: Shape) -> Shape:
        analyses.check_labels(params)
        return {"JobId": self._start(ctx, LABEL_DETECTION, params)}

    def start_text_detection(self, ctx: RequestContext, params: Shape) -> Shape:
        analyses.check_text(params)
        return {"JobId": self._start(ctx, TEXT_DETECTION, params)}

    def _start(self, ctx: RequestContext, operation: str, params: Shape) -> str:
        request = {key: params[key] for key in _ECHOED if key in params}
        if "NotificationChannel" in params:
            request["NotificationChannel"] = params["NotificationChannel"]
        token = params.get("ClientRequestToken")
        if token:
            known = self._by_token(ctx, operation, token, request)
            if known is not None:
                return known
        self._check_object(ctx.scope, params["Video"])
        try:
            with self.db.transaction(ctx.scope) as session:
                row = VideoJobRow(
                    job_id=secrets.token_hex(32),
                    operation=operation,
                    status="IN_PROGRESS",
                    request=request,
                    client_token=token,
                )
                session.add(row)
                session.flush()
                self.jobs.submit(session, KIND, ctx.scope, str(row.id))
                job_id = row.job_id
        except IntegrityError:  # a concurrent Start with the same token won the race
            known = self._by_token(ctx, operation, token, request) if token else None
            if known is None:
                raise
            return known
        return job_id

    def _by_token(
        self, ctx: RequestContext, operation: str, token: str, request: Shape
    ) -> str | None:
        """The job an earlier Start with this token made; a different request with the same
        token is refused, as on AWS."""
        with self.db.reading(ctx.scope) as session:
            row = session.scalar(
                select(VideoJobRow).filter_by(operation=operation, client_token=token)
            )
        if row is None:
            return None
        if row.request != request:
            raise IdempotentParameterMismatchException(
                f"ClientRequestToken {token} was used for a different Start{operation} request."
            )
        return row.job_id

    def _check_object(self, scope: Scope, video: Shape) -> None:
        s3 = video.get("S3Object") or {}
        if "Bucket" not in s3 or "Name" not in s3:
            raise InvalidParameterException("Video needs an S3Object with Bucket and Name.")
        if "Version" in s3:
            raise InvalidParameterException("This server keeps no object versions.")
        size = self._size(scope, s3["Bucket"], s3["Name"])
        if size > self.settings.max_bytes:
            raise VideoTooLargeException(
                f"The video is {size} bytes; the limit is {self.settings.max_bytes} bytes."
            )

    def _size(self, scope: Scope, bucket: str, key: str) -> int:
        location = f"s3://{bucket}/{key}"
        try:
            self.blobs.allow(scope, bucket, key)
            store = self.blobs.store
            if isinstance(store, LocalBuckets):
                path = store.path(bucket, key)
                if not path.is_file():
                    raise BlobNotFound(f"{location} does not exist")
                return path.stat().st_size
            if isinstance(store, S3Buckets):
                head = store.client.head_object(Bucket=bucket, Key=key)
                return int(head.get("ContentLength", 0))
            return len(store.read(bucket, key, self.settings.max_bytes))
        except (BlobNotFound, BlobAccessDenied, InvalidBlobKey) as error:
            raise InvalidS3ObjectException(f"Unable to get object {location}: {error}") from None
        except BlobError:
            raise VideoTooLargeException(
                f"The video is larger than {self.settings.max_bytes} bytes."
            ) from None
        except Exception as error:  # the external S3's own errors (head_object)
            raise InvalidS3ObjectException(f"Unable to get object {location}: {error}") from None

    # Get

    def get_face_detection(self, ctx: RequestContext, params: Shape) -> Shape:
        return self._get(ctx, FACE_DETECTION, params, "Faces", "TIMESTAMP")

    def get_face_search(self, ctx: RequestContext, params: Shape) -> Shape:
        return self._get(ctx, FACE_SEARCH, params, "Persons", params.get("SortBy", "TIMESTAMP"))

    def get_segment_detection(self, ctx: RequestContext, params: Shape) -> Shape:
        return self._get(ctx, SEGMENT_DETECTION, params, "Segments", "TIMESTAMP")

    def get_label_detection(self, ctx: RequestContext, params: Shape) -> Shape:
        sort_by = params.get("SortBy", "TIMESTAMP")
        aggregate = params.get("AggregateBy", "TIMESTAMPS")
        # One job stores both aggregations: per-frame rows index labels from 0 by name,
        # segment rows below 0 (analyses.segment_index).
        index = VideoResultRow.person_index
        answer = self._get(
            ctx,
            LABEL_DETECTION,
            params,
            "Labels",
            "INDEX" if sort_by == "NAME" else "TIMESTAMP",
            where=index < 0 if aggregate == "SEGMENTS" else index >= 0,
            aggregate=aggregate,
        )
        answer["LabelModelVersion"] = LABEL_MODEL_VERSION
        answer["GetRequestMetadata"] = {"SortBy": sort_by, "AggregateBy": aggregate}
        return answer

    def get_text_detection(self, ctx: RequestContext, params: Shape) -> Shape:
        answer = self._get(ctx, TEXT_DETECTION, params, "TextDetections", "TIMESTAMP")
        answer["TextModelVersion"] = TEXT_MODEL_VERSION
        return answer

    def _get(
        self,
        ctx: RequestContext,
        operation: str,
        params: Shape,
        key: str,
        sort_by: str,
        where: Any = None,
        aggregate: str = "",
    ) -> Shape:
        job_id = params["JobId"]
        with self.db.reading(ctx.scope) as session:
            row = session.scalar(select(VideoJobRow).filter_by(job_id=job_id, operation=operation))
            if row is None:
                raise ResourceNotFoundException(f"The job {job_id} does not exist.")
            answer: Shape = {"JobStatus": row.status}
            if row.status_message:
                answer["StatusMessage"] = row.status_message
            # While in progress the column holds the job's checkpoint, not metadata.
            metadata = row.video_metadata if row.status != "IN_PROGRESS" else None
            if metadata and "VideoMetadata" in metadata:
                answer.update(metadata)  # segments: lists of video and audio
            elif metadata:
                answer["VideoMetadata"] = metadata
            if operation == SEGMENT_DETECTION:
                answer["SelectedSegmentTypes"] = analyses.segment_types(row.request)
            if row.status == "SUCCEEDED":
                query = select(VideoResultRow).where(VideoResultRow.job_pk == row.id)
                if where is not None:
                    query = query.where(where)
                order = (
                    (VideoResultRow.person_index, VideoResultRow.timestamp, VideoResultRow.id)
                    if sort_by == "INDEX"
                    else (VideoResultRow.timestamp, VideoResultRow.id)
                )
                listing = Listing(f"Get{operation}", order, [job_id, sort_by, aggregate])
                page = self.paginator.page(
                    session,
                    query,
                    listing,
                    params.get("MaxResults") or DEFAULT_PAGE_SIZE,
                    params.get("NextToken"),
                )
                answer.update(page.output(key, lambda result: result.item))
            else:
                answer[key] = []
            answer["JobId"] = row.job_id
            answer["Video"] = row.request["Video"]
            if "JobTag" in row.request:
                answer["JobTag"] = row.request["JobTag"]
        return answer

    # Running (called by the job kind)

    def analyse(self, job: RunningJob) -> tuple[Shape, list[tuple[int, int | None, Shape]]]:
        """The video's metadata and its results (timestamp, person index, item)."""
        with self.db.reading(job.scope) as session:
            row = session.get(VideoJobRow, int(job.resource))
            if row is None:
                raise JobFailed("The job was deleted.")
            operation, request = row.operation, row.request
        s3 = request["Video"]["S3Object"]
        with self._source(job.scope, s3["Bucket"], s3["Name"]) as source:
            try:
                video = open_video(source, self.settings.max_seconds)
            except VideoTooLong as error:
                raise JobFailed(f"VideoTooLargeException: {error}") from None
            except UnsupportedVideo as error:
                raise JobFailed(f"InvalidParameterException: {error}") from None
            with video:
                metadata = video_metadata(video.info)
                try:
                    if operation == SEGMENT_DETECTION:
                        metadata, results = analyses.segments(job, video, request)
                    elif operation in (LABEL_DETECTION, TEXT_DETECTION):
                        results = self._images(job, operation, request, video)
                    else:
                        results = self._frames(job, operation, request, video)
                except VideoTooLong as error:
                    raise JobFailed(f"VideoTooLargeException: {error}") from None
                except UnsupportedVideo as error:
                    raise JobFailed(f"InvalidParameterException: {error}") from None
        return metadata, results

    def _images(
        self, job: RunningJob, operation: str, request: Shape, video: Any
    ) -> list[tuple[int, int | None, Shape]]:
        """Labels or text on sampled frames, with the image operations' engines."""
        from sensorium.models.labels import LABEL_MODEL, LabelEngine
        from sensorium.models.ocr import TEXT_MODEL, TextEngine
        from sensorium.services.rekognition.engine import FACE_MODEL, FaceEngine

        if self.models is None:
            raise JobFailed("No model registry: label and text detection are unavailable.")
        fps = min(self.settings.sample_fps, analyses.LABEL_FPS)
        if operation == LABEL_DETECTION:
            classifier = self.models.get(LABEL_MODEL, LabelEngine)
            faces = self.models.get(FACE_MODEL, FaceEngine)
            return analyses.label_results(job, video, request, classifier, faces, fps)
        reader = self.models.get(TEXT_MODEL, TextEngine)
        return analyses.text_results(job, video, request, reader, fps)

    def _frames(
        self, job: RunningJob, operation: str, request: Shape, video: Any
    ) -> list[tuple[int, int | None, Shape]]:
        """Face detection or search on sampled frames. Every ``checkpoint_seconds`` of
        video the results so far and the tracker are saved (``Checkpoint``); a job run
        again (its worker died, the server restarted) resumes after the last checkpoint
        and returns only the results after it."""
        info: VideoInfo = video.info
        engine = self.faces.pipeline
        tracker = FaceTracker()
        search = operation == FACE_SEARCH
        threshold = request.get("FaceMatchThreshold")
        cutoff = DEFAULT_THRESHOLD if threshold is None else float(threshold)
        results: list[tuple[int, int | None, Shape]] = []
        collection = None
        identities: dict[str, int] = {}  # best-matching FaceId -> person index
        aliases: dict[int, int] = {}  # track index -> person index
        if search:
            with self.db.reading(job.scope) as session:
                try:
                    collection = self.faces.collection(session, request["CollectionId"])
                except ResourceNotFoundException as error:
                    raise JobFailed(f"ResourceNotFoundException: {error}") from None
        checkpoint = self._resume(job)
        after_ms = None
        if checkpoint is not None:
            after_ms = int(checkpoint["after_ms"])
            tracker.restore(checkpoint["tracks"])
            identities = {str(k): int(v) for k, v in checkpoint["identities"].items()}
            aliases = {int(k): int(v) for k, v in checkpoint["aliases"].items()}
            _log.info("video job %s resumes after %d ms", job.resource, after_ms)
        interval_ms = self.settings.checkpoint_seconds * 1000
        saved_ms = done_ms = after_ms or 0  # the last checkpoint's, the last frame's
        for frame in video.frames(self.settings.sample_fps, after_ms=after_ms):
            job.check()
            if info.duration_ms:
                job.progress(frame.timestamp_ms / info.duration_ms)
            if done_ms - saved_ms >= interval_ms:
                state = {
                    "after_ms": done_ms,
                    "tracks": tracker.state(),
                    "identities": identities,
                    "aliases": {str(k): v for k, v in aliases.items()},
                }
                self._checkpoint(job, results, state)
                results, saved_ms = [], done_ms
            done_ms = frame.timestamp_ms
            height, width = frame.rgb.shape[:2]
            found = engine.analyze(frame.rgb, embed=search)
            if not search:
                for face in found:
                    detail = shapes.face_detail(face, width, height)
                    results.append(
                        (
                            frame.timestamp_ms,
                            None,
                            {"Timestamp": frame.timestamp_ms, "Face": detail},
                        )
                    )
                continue
            indexes = tracker.assign(frame.timestamp_ms, found)
            assert collection is not None
            with self.db.reading(job.scope) as session:
                for face, index in sorted(zip(found, indexes, strict=True), key=lambda p: p[1]):
                    matches = self.faces._matches(
                        session, collection, np.asarray(face.embedding), band_of(face), None, cutoff
                    )
                    if not matches:
                        continue
                    # Two tracks whose best match is the same collection face are one
                    # person (seen again after a cut): the first track's index is kept.
                    best = str(matches[0]["Face"]["FaceId"])
                    index = aliases.setdefault(index, identities.setdefault(best, index))
                    detail = shapes.face_detail(face, width, height)
                    person = {"Index": index, "BoundingBox": detail["BoundingBox"], "Face": detail}
                    item = {
                        "Timestamp": frame.timestamp_ms,
                        "Person": person,
                        "FaceMatches": matches,
                    }
                    results.append((frame.timestamp_ms, index, item))
        return results

    def _resume(self, job: RunningJob) -> Shape | None:
        """The job's last checkpoint (None: from the start), after dropping any result a
        previous attempt wrote after it."""
        with self.db.transaction(job.scope) as session:
            row = session.get(VideoJobRow, int(job.resource))
            if row is None:
                raise JobFailed("The job was deleted.")
            checkpoint = (row.video_metadata or {}).get(CHECKPOINT)
            after_ms = -1 if checkpoint is None else int(checkpoint["after_ms"])
            session.execute(
                delete(VideoResultRow).where(
                    VideoResultRow.job_pk == row.id, VideoResultRow.timestamp > after_ms
                )
            )
        return checkpoint if isinstance(checkpoint, dict) else None

    def _checkpoint(
        self, job: RunningJob, results: list[tuple[int, int | None, Shape]], state: Shape
    ) -> None:
        """Save the results so far and what resuming needs, in one transaction."""
        with self.db.transaction(job.scope) as session:
            row = session.get(VideoJobRow, int(job.resource))
            if row is None:
                raise JobFailed("The job was deleted.")
            add_results(session, row, results)
            row.video_metadata = {CHECKPOINT: state}

    @contextlib.contextmanager
    def _source(self, scope: Scope, bucket: str, key: str) -> Iterator[str | Path | IO[bytes]]:
        """The object as a file PyAV reads: the local file itself, or its bytes in memory."""
        import io

        location = f"s3://{bucket}/{key}"
        try:
            self.blobs.allow(scope, bucket, key)
            store = self.blobs.store
            if isinstance(store, LocalBuckets):
                path = store.path(bucket, key)
                if not path.is_file():
                    raise BlobNotFound(f"{location} does not exist")
                if path.stat().st_size > self.settings.max_bytes:
                    raise BlobError(f"{location} is larger than {self.settings.max_bytes} bytes")
                source: str | Path | IO[bytes] = path
            else:
                source = io.BytesIO(store.read(bucket, key, self.settings.max_bytes))
        except (BlobNotFound, BlobAccessDenied, InvalidBlobKey) as error:
            raise JobFailed(
                f"InvalidS3ObjectException: Unable to get object {location}: {error}"
            ) from None
        except BlobError as error:
            raise JobFailed(f"VideoTooLargeException: {error}") from None
        yield source


def video_metadata(info: VideoInfo) -> Shape:
    return {
        "Codec": info.codec,
        "DurationMillis": info.duration_ms,
        "Format": info.format,
        "FrameRate": info.frame_rate,
        "FrameHeight": info.height,
        "FrameWidth": info.width,
        "ColorRange": info.color_range,
    }


def add_results(session: Session, row: VideoJobRow, results: Iterable[Result]) -> None:
    for timestamp, index, item in results:
        session.add(
            VideoResultRow(job_pk=row.id, timestamp=timestamp, person_index=index, item=item)
        )


Outcome = tuple[Shape, list[tuple[int, int | None, Shape]]]


class VideoKind(JobKind[Outcome]):
    """Analyses one stored video; mirrors the job's state into the video job row."""

    name = KIND

    def __init__(self, service: VideoService) -> None:
        self.service = service

    def run(self, job: RunningJob) -> Outcome:
        return self.service.analyse(job)

    def succeeded(self, session: Session, job: JobRow, outcome: Outcome) -> dict[str, Any] | None:
        row = session.get(VideoJobRow, int(job.resource))
        if row is not None:
            metadata, results = outcome
            add_results(session, row, results)  # those after the last checkpoint
            row.video_metadata = metadata
            row.status = "SUCCEEDED"
            row.completed_at = utcnow()
        return None

    def failed(self, session: Session, job: JobRow, reason: str) -> None:
        row = session.get(VideoJobRow, int(job.resource))
        if row is not None:
            row.status = "FAILED"
            row.status_message = reason
            row.video_metadata = None  # a checkpoint
            row.completed_at = utcnow()
