"""The services: what each AWS operation does, with no knowledge of HTTP.

Each service package has ``install(components)`` (registers operations, models and job
kinds; returns the service object) and ``requires(settings)`` (the weights it needs).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from sensorium.errors import ConfigurationError

# Installation order: a service may use those installed before it (Lex uses Polly's
# synthesizer and Transcribe's recogniser).
SERVICES = (
    "s3",
    "rekognition",
    "polly",
    "transcribe",
    "comprehend",
    "lex",
    "forecast",
    "sagemaker",
)


def enabled(services: str) -> list[str]:
    """The services named in ``SENSORIUM_SERVICES`` (comma-separated), all when empty."""
    wanted = {name.strip() for name in services.split(",") if name.strip()}
    unknown = wanted - set(SERVICES)
    if unknown:
        raise ConfigurationError(
            f"unknown services {sorted(unknown)}; choose from {', '.join(SERVICES)}"
        )
    return [name for name in SERVICES if not wanted or name in wanted]


def module(name: str) -> ModuleType:
    return importlib.import_module(f"sensorium.services.{name}")
