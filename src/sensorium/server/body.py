"""Reading a request body within bounds: its size, and how long the client may pause."""

from __future__ import annotations

import anyio
from starlette.requests import ClientDisconnect, Request

from sensorium.errors import RequestEntityTooLargeException, RequestTimeoutException


class ClientGone(Exception):
    """The client hung up before sending its whole body."""


async def read_body(request: Request, limit: int, idle_seconds: float) -> bytes:
    """The body; ``RequestEntityTooLargeException`` past ``limit`` bytes,
    ``RequestTimeoutException`` when the client sends nothing for ``idle_seconds`` (a body
    cut short of its Content-Length), ``ClientGone`` when it disconnects."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    stream = request.stream().__aiter__()
    while True:
        try:
            with anyio.fail_after(idle_seconds):
                chunk = await stream.__anext__()
        except StopAsyncIteration:
            return b"".join(chunks)
        except TimeoutError:
            raise RequestTimeoutException(
                "Your socket connection to the server was not read from or written to within "
                "the timeout period."
            ) from None
        except ClientDisconnect:
            raise ClientGone from None
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)


def _too_large(limit: int) -> RequestEntityTooLargeException:
    return RequestEntityTooLargeException(f"Request too large: the limit is {limit} bytes.")
