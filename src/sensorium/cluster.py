"""Joining the Ray cluster (``SENSORIUM_RAY_ADDRESS``) as a driver, once per process.

Imported only when an address is set (``ray`` is in the ``cluster`` extra). Every part that
uses the cluster (job workers, model deployments) joins through here, so that two of them
starting at once in one process do not both call ``ray.init``.
"""

from __future__ import annotations

import logging
import os
import threading
import time

import ray

from sensorium import offline

NAMESPACE = "sensorium"
_joining = threading.Lock()


def connect(address: str, settle: float = 30.0) -> None:
    with _joining:
        if ray.is_initialized():
            return
        os.environ.update(offline.OFFLINE_ENVIRONMENT)
        try:
            ray.init(
                address=address,
                namespace=NAMESPACE,
                log_to_driver=False,
                logging_level=logging.WARNING,
                ignore_reinit_error=True,
            )
        except Exception:
            # Code that joins without this lock may have been joining at the same moment:
            # ray.init then refuses the second call. Its join is as good as ours.
            deadline = time.monotonic() + settle
            while not ray.is_initialized():
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
