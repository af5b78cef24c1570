"""The ASGI application: wires storage, buckets, models and services to the dispatcher."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import iterate_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, request_response

from sensorium import __version__, services
from sensorium.admission import Admission, GateLimits
from sensorium.auth.credentials import CredentialSet
from sensorium.blobs import BlobStore, Buckets, LocalBuckets, S3Buckets
from sensorium.components import Components
from sensorium.config import Settings
from sensorium.console import console_routes
from sensorium.errors import InternalFailure, ServiceError
from sensorium.jobs import JobSystem, RetryPolicy
from sensorium.models.registry import ModelRegistry, runtime
from sensorium.operations import OperationRegistry
from sensorium.protocol import jsonio
from sensorium.protocol.catalog import ServiceCatalog
from sensorium.protocol.wire import WireRequest, WireResponse
from sensorium.server import access_log
from sensorium.server.body import ClientGone, read_body
from sensorium.server.dispatch import Dispatcher
from sensorium.storage.database import Database, sqlite_url
from sensorium.storage.paging import TokenSigner
from sensorium.storage.secrets import server_key

PAGINATION_KEY = "pagination"
log = logging.getLogger("sensorium.server")


def build_components(settings: Settings) -> Components:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(
        settings.database_url or sqlite_url(settings.data_dir),
        pool_size=settings.database_pool_size,
    )
    database.migrate()
    blobs: BlobStore
    if settings.s3.endpoint:
        blobs = S3Buckets(
            settings.s3.endpoint,
            settings.s3.access_key_id,
            settings.s3.secret_access_key,
            settings.s3.region,
        )
    else:
        blobs = LocalBuckets(settings.buckets_dir)
    jobs = settings.jobs
    components = Components(
        settings=settings,
        database=database,
        blobs=Buckets(blobs, database),
        models=ModelRegistry(runtime=runtime(settings.ray)),
        operations=OperationRegistry(),
        jobs=JobSystem(
            database,
            workers=jobs.workers,
            retry=RetryPolicy(max_attempts=jobs.max_attempts),
            lease_seconds=jobs.lease_seconds,
            poll_seconds=jobs.poll_seconds,
        ),
        tokens=TokenSigner(server_key(database, PAGINATION_KEY)),
    )
    for name in services.enabled(settings.services):
        components.services[name] = services.module(name).install(components)
    return components


def create_app(settings: Settings, credentials: CredentialSet) -> Starlette:
    components = build_components(settings)
    limits = settings.admission
    admission = Admission(
        GateLimits(limits.concurrency, limits.queue, limits.wait_seconds),
        limits.account_rate,
        limits.account_burst,
        components.models.capacity,
    )
    dispatcher = Dispatcher(ServiceCatalog(), components.operations, credentials, admission)
    limit = settings.max_body_bytes

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    async def ready(_: Request) -> Response:
        models = components.models
        body = {"ready": models.ready(), "models": models.status()}
        return JSONResponse(body, status_code=200 if models.ready() else 503)

    async def aws(request: Request) -> Response:
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        head = WireRequest(
            method=request.method,
            raw_path=request.scope.get("raw_path", request.url.path.encode()).decode("latin-1"),
            query=request.scope.get("query_string", b"").decode("latin-1"),
            headers=request.headers,
            body=b"",
            scheme=request.url.scheme,
        )
        try:
            body = await read_body(request, limit, settings.body_idle_seconds)
        except ServiceError as refused:
            rejection = dispatcher.refuse(head, refused, request_id)
            _log(request_id, "-", "-", "-", rejection.response.status, started, refused.code)
            return _to_starlette(rejection.response, request_id)
        except ClientGone:
            log.info("request %s: the client disconnected before sending its body", request_id)
            _log(request_id, "-", "-", "-", 499, started, "ClientDisconnected")
            return Response(status_code=499)
        received = time.perf_counter()
        wire = dataclasses.replace(head, body=body)
        outcome = await dispatcher.dispatch(wire, request_id)

        def logged() -> None:
            _log(
                request_id,
                outcome.service,
                outcome.operation,
                outcome.account_id,
                outcome.response.status,
                started,
                outcome.error_code,
                received,
            )

        outcome.response.closers.append(logged)  # a streamed body's latency runs to its end
        response = _to_starlette(outcome.response, request_id)
        return response

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # Models load in the background: /health answers at once, /ready when they are in.
        threading.Thread(target=components.models.preload, name="preload", daemon=True).start()
        _start_jobs(components)
        yield
        components.close()

    async def unexpected(request: Request, error: Exception) -> Response:
        # Dispatch answers every error in the service's format; this catches what escapes it
        # (a bug) so that no client ever gets a bare text 500.
        request_id = str(uuid.uuid4())
        log.error("unhandled error in request %s", request_id, exc_info=error)
        return _error(InternalFailure(), request_id)

    methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]
    app = Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/ready", ready, methods=["GET"]),
            *console_routes(request_response(aws)),
            Route("/{path:path}", aws, methods=methods),
        ],
        exception_handlers={Exception: unexpected},
        lifespan=lifespan,
    )
    app.state.components = components
    return app


def _start_jobs(components: Components) -> None:
    """Worker threads of this process; on a Ray cluster, none: Ray workers run the jobs."""
    settings = components.settings
    if not settings.ray.address:
        components.jobs.start()
        return
    from sensorium.jobs.ray_workers import RayJobs

    RayJobs(settings, components.jobs.kinds.values()).start()


def _error(error: ServiceError, request_id: str) -> Response:
    """An error before (or outside) the protocol layer: AWS's JSON error shape."""
    return Response(
        jsonio.dump({"__type": error.code, "message": error.message}),
        status_code=error.status or 400,
        headers={"x-amzn-RequestId": request_id, "X-Amzn-ErrorType": error.code},
        media_type="application/json",
    )


def _to_starlette(wire: WireResponse, request_id: str) -> Response:
    headers = dict(wire.headers)
    headers["x-amzn-RequestId"] = request_id
    # The type goes as sent: Starlette would add "; charset=utf-8" to a text/* media type,
    # and S3 returns an object's Content-Type exactly as it was stored.
    if isinstance(wire.body, bytes):
        wire.close()
        body = b"" if wire.status in (204, 304) else wire.body  # HTTP allows these none
        return Response(body, status_code=wire.status, headers=headers)
    return _Streamed(wire, status_code=wire.status, headers=headers)


class _Streamed(StreamingResponse):
    """A streamed body whose closers run however the stream ends: sent to its end, or cut
    off by a client that went away (then the body is closed, or left to finish the step it
    is on in its thread)."""

    def __init__(self, wire: WireResponse, **options: Any) -> None:
        assert not isinstance(wire.body, bytes)
        self._wire = wire
        self._body: Iterator[bytes] = wire.body
        super().__init__(iterate_in_threadpool(self._body), **options)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            close = getattr(self._body, "close", None)
            if close is not None:
                with contextlib.suppress(ValueError):  # still running a step in its thread
                    close()
            self._wire.close()


def _log(
    request_id: str,
    service: str,
    operation: str,
    account_id: str,
    status: int,
    started: float,
    error: str | None = None,
    received: float | None = None,
) -> None:
    """``latency_ms`` runs from the request's arrival to its last byte; ``service_ms`` from
    its body's last byte (what the server itself spent, a slow sender aside)."""
    now = time.perf_counter()
    fields: dict[str, object] = {}
    if received is not None:
        fields["service_ms"] = round((now - received) * 1000, 2)
    access_log.record(
        request_id=request_id,
        service=service,
        operation=operation,
        account=account_id,
        status=status,
        error=error,
        latency_ms=round((now - started) * 1000, 2),
        **fields,
    )
