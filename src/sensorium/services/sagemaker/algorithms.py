"""The built-in algorithms a TrainingImage (or a model's container Image) names, their
HyperParameters, and where an instance type runs on this machine."""

from __future__ import annotations

import dataclasses
from typing import Any

from sensorium.models.sound.anomaly import AnomalySettings
from sensorium.models.sound.classifier import FRONT_ENDS, ClassifierSettings
from sensorium.services.sagemaker.errors import ValidationException

CLASSIFICATION = "sensorium/sound-classification:1"
ANOMALY = "sensorium/sound-anomaly-detection:1"
IMAGES = {CLASSIFICATION: ClassifierSettings, ANOMALY: AnomalySettings}
# Hyperparameters of the job itself, not of the network.
JOB_PARAMETERS = {"validation_fraction": 0.15, "max_clip_seconds": 600.0}
MAX_TRAINING_BYTES = 4 * 1024**3
GPU_FAMILIES = ("ml.g", "ml.p")


def algorithm(image: str | None) -> str:
    """The built-in algorithm an image names (a registry host before it is allowed)."""
    for name in IMAGES:
        if image == name or (image or "").endswith("/" + name):
            return name
    raise ValidationException(
        f"The image {image!r} is not supported: use one of {', '.join(IMAGES)} (built-in "
        "sound algorithms), or sensorium/pytorch-script:1 or an AWS pytorch-training image "
        "for your own training script (script mode, where the operator enables it)."
    )


def settings(image: str, hyperparameters: dict[str, str]) -> tuple[Any, dict[str, float]]:
    """The network's settings and the job's own parameters from string HyperParameters."""
    kind = IMAGES[image]
    fields = {field.name: field for field in dataclasses.fields(kind)}
    chosen: dict[str, Any] = {}
    job = dict(JOB_PARAMETERS)
    for name, text in hyperparameters.items():
        if name.startswith("sagemaker_"):
            continue  # the SDK's own (sagemaker_region, ...), meaningless here
        if name in job:
            job[name] = _number(name, text, float)
            continue
        if name not in fields:
            accepted = ", ".join(sorted([*fields, *job]))
            raise ValidationException(
                f"Unknown hyperparameter {name!r} for {image}; accepted: {accepted}."
            )
        default = fields[name].default
        chosen[name] = text if isinstance(default, str) else _number(name, text, type(default))
    try:
        made = kind(**chosen)
    except TypeError as error:  # pragma: no cover - every field has a default
        raise ValidationException(str(error)) from None
    _check_ranges(made)
    front_end = getattr(made, "front_end", FRONT_ENDS[0])
    if front_end not in FRONT_ENDS:
        raise ValidationException(
            f"Hyperparameter front_end={front_end!r} is not one of {', '.join(FRONT_ENDS)}."
        )
    if not 0 < job["validation_fraction"] < 1:
        raise ValidationException("validation_fraction must be between 0 and 1.")
    if job["max_clip_seconds"] <= 0:
        raise ValidationException("max_clip_seconds must be positive.")
    return made, job


def _number(name: str, text: str, kind: type) -> Any:
    try:
        return kind(int(text) if kind is int else float(text))
    except ValueError:
        raise ValidationException(
            f"Hyperparameter {name}={text!r} is not a valid {kind.__name__}."
        ) from None


def _check_ranges(made: Any) -> None:
    for field in dataclasses.fields(made):
        value = getattr(made, field.name)
        if isinstance(value, str):
            continue
        if field.name in ("mixup", "weight_decay", "seed", "freq_mask", "time_mask"):
            bad = value < 0
        elif field.name == "threshold_quantile":
            bad = not 0 < value <= 1
        elif field.name == "refit":
            bad = value not in (0, 1)
        else:
            bad = value <= 0
        if bad:
            raise ValidationException(f"Hyperparameter {field.name}={value} is out of range.")
    limits = {"epochs": 1000, "n_mels": 128, "width": 128, "batch_size": 1024}
    for name, top in limits.items():
        if getattr(made, name, 0) > top:
            raise ValidationException(f"Hyperparameter {name} may be at most {top}.")


def device(instance_type: str | None, gpu_available: bool) -> str:
    """``ml.g*``/``ml.p*`` train on the GPU when this machine has one; all else on the CPU."""
    if instance_type and instance_type.startswith(GPU_FAMILIES) and gpu_available:
        return "cuda"
    return "cpu"
