"""A tiny ``Servable`` model for the runtime tests: it shows how requests were batched."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sensorium.models.registry import Servable

# Each batch takes this long, so that requests sent together queue up behind the first.
BATCH_SECONDS = 0.5


class Echo(Servable[int, tuple[int, int]]):
    """Answers each request with itself and the size of the batch it came in; a batch
    holding a negative number fails."""

    name = "echo"
    max_batch_size = 4

    def __init__(self) -> None:
        self.device = ""

    def load(self, device: str) -> None:
        self.device = device

    def infer(self, requests: Sequence[int]) -> list[tuple[int, int]]:
        time.sleep(BATCH_SECONDS)
        if any(request < 0 for request in requests):
            raise ValueError(f"negative requests in {list(requests)}")
        return [(request, len(requests)) for request in requests]
