"""Admission control: bounded work per model, a bounded queue, and refusal past it.

Each costly operation passes through a ``Gate`` (one per model it runs): at most
``concurrency`` requests work at once and at most ``queue`` more wait, each for at most
``max_wait`` seconds. A request beyond that is refused at once with ``Overloaded``, which the
dispatcher answers with the service's own retryable throttling error, so that AWS clients
back off and retry instead of piling up behind a queue that only grows. A per-account token
bucket (off by default) bounds how fast one account may call.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sensorium.errors import SensoriumError

log = logging.getLogger(__name__)


class Overloaded(SensoriumError):
    """Refused: the server is at capacity for this kind of work (retry later)."""


@dataclass(frozen=True)
class GateLimits:
    concurrency: int
    queue: int
    max_wait: float  # seconds a request may wait for its turn


class Gate:
    """One kind of work (one model). Entered from the event loop; left from there or, for a
    streamed response, from the thread that finished streaming it."""

    def __init__(self, name: str, limits: GateLimits, on_idle: Callable[[], None]) -> None:
        self.name = name
        self.limits = limits
        self._on_idle = on_idle
        self._free = asyncio.Semaphore(limits.concurrency)
        self._loop: asyncio.AbstractEventLoop | None = None
        self.waiting = 0
        self.working = 0

    @property
    def full(self) -> bool:
        """No turn free and no room to wait: a request now would be refused."""
        return self._free.locked() and self.waiting >= self.limits.queue

    def refuse_if_full(self) -> None:
        if self.full:
            raise Overloaded(f"{self.name}: {self.working} at work, {self.waiting} waiting")

    async def enter(self) -> Callable[[], None]:
        """Wait for a turn (``Overloaded`` when the queue is full or the wait too long); the
        function that gives the turn back, once, from any thread."""
        self.refuse_if_full()
        self._loop = asyncio.get_running_loop()
        self.waiting += 1
        try:
            async with asyncio.timeout(self.limits.max_wait):
                await self._free.acquire()
        except TimeoutError:
            raise Overloaded(f"{self.name}: waited {self.limits.max_wait:g} s") from None
        finally:
            self.waiting -= 1
        self.working += 1
        return self._leaver(self._loop)

    def _leaver(self, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
        left = threading.Event()

        def leave() -> None:
            if left.is_set():
                return
            left.set()
            if _on_loop(loop):
                self._leave()
            else:
                loop.call_soon_threadsafe(self._leave)

        return leave

    def _leave(self) -> None:
        self.working -= 1
        self._free.release()
        if not self.working and not self.waiting:
            self._on_idle()


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


class RateLimiter:
    """Per-account token buckets: ``rate`` calls a second, bursts of ``burst`` (0: off)."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._buckets: dict[str, tuple[float, float]] = {}  # account -> (tokens, stamp)
        self._lock = threading.Lock()

    def take(self, account: str) -> None:
        if self.rate <= 0:
            return
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(account, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
            if tokens < 1:
                self._buckets[account] = (tokens, now)
                raise Overloaded(f"account {account}: more than {self.rate:g} calls a second")
            self._buckets[account] = (tokens - 1, now)


class Admission:
    """The gates of a server, the account limiter, and memory handed back when work stops."""

    def __init__(
        self,
        limits: GateLimits,
        rate: float = 0.0,
        burst: int = 0,
        capacity: Callable[[str], int] = lambda _: 1,
    ) -> None:
        """``capacity(model)``: how many requests the model works on at once (its
        replicas, when it runs elsewhere); its gate admits that many times ``limits``."""
        self.default = limits
        self.gates: dict[str, Gate] = {}
        self.accounts = RateLimiter(rate, burst)
        self._capacity = capacity
        self._trimmer = MemoryTrimmer()

    def gate(self, name: str) -> Gate:
        if name not in self.gates:
            n = self._capacity(name)
            limits = GateLimits(
                self.default.concurrency * n, self.default.queue * n, self.default.max_wait
            )
            self.gates[name] = Gate(name, limits, self._idle)
        return self.gates[name]

    def _idle(self) -> None:
        if not any(gate.working or gate.waiting for gate in self.gates.values()):
            self._trimmer.soon()


class MemoryTrimmer:
    """Hands freed heap back to the OS once a burst of work is over (glibc keeps it in its
    arenas otherwise, and the process never shrinks back to its idle size)."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self._last = 0.0
        self._trim = _malloc_trim()

    def soon(self) -> None:
        now = time.monotonic()
        if self._trim is None or now - self._last < self.every:
            return
        self._last = now
        threading.Thread(target=self._trim, args=(0,), name="malloc-trim", daemon=True).start()


def _malloc_trim() -> ctypes._NamedFuncPointer | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def limit_arenas(arenas: int = 2) -> None:
    """Fewer glibc malloc arenas: with many worker threads each grows an arena of its own
    (M_ARENA_MAX, set before the threads start)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        ctypes.CDLL(name).mallopt(ctypes.c_int(-8), ctypes.c_int(arenas))
    except (OSError, AttributeError):
        log.debug("mallopt is not available; the allocator keeps its defaults")
