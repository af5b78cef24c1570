"""No outbound network at run time: tell the libraries we use to stay offline."""

from __future__ import annotations

import os

OFFLINE_ENVIRONMENT = {
    "ORT_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "RAY_USAGE_STATS_ENABLED": "0",
}


def enforce() -> None:
    for name, value in OFFLINE_ENVIRONMENT.items():
        os.environ[name] = value
