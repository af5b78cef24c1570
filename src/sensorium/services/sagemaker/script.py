"""Script mode: a PyTorch framework TrainingImage runs the caller's own training script, as
AWS's PyTorch estimator does (the SageMaker Python SDK's ``sagemaker_program`` and
``sagemaker_submit_directory`` hyperparameters, the training toolkit's ``SM_*`` contract).

It runs arbitrary code with the server's privileges, so it is off unless the operator names
the accounts allowed in ``SENSORIUM_SAGEMAKER_SCRIPT_ACCOUNTS``. This module checks a
request; ``script_run`` runs it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from sensorium.services.sagemaker.errors import ValidationException

SCRIPT_IMAGE = "sensorium/pytorch-script:1"
# AWS's PyTorch training images: 763104351884.dkr.ecr.REGION.amazonaws.com/pytorch-training:TAG
AWS_PYTORCH = "pytorch-training:"
AWS_PYTORCH_SERVING = "pytorch-inference:"
SETTING = "SENSORIUM_SAGEMAKER_SCRIPT_ACCOUNTS"
PROGRAM = "sagemaker_program"
SUBMIT_DIRECTORY = "sagemaker_submit_directory"
# AWS's limits on MetricDefinitions.
MAX_METRICS = 40
MAX_REGEX = 500
CHANNEL_NAME = re.compile(r"[A-Za-z0-9\.\-_]{1,64}")
HYPERPARAMETER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-\.]{0,255}")


def is_script_image(image: str | None) -> bool:
    text = image or ""
    return text == SCRIPT_IMAGE or text.endswith("/" + SCRIPT_IMAGE) or AWS_PYTORCH in text


def is_served_script(image: str | None) -> bool:
    """A PyTorch image as a model's container (AWS's ``pytorch-inference`` images too)."""
    return is_script_image(image) or AWS_PYTORCH_SERVING in (image or "")


class ScriptAccess:
    """Which accounts may run scripts: ``SENSORIUM_SAGEMAKER_SCRIPT_ACCOUNTS``, comma-separated
    account ids or ``*``; empty (the default): none."""

    def __init__(self, setting: str) -> None:
        names = {part.strip() for part in setting.split(",") if part.strip()}
        self.everyone = "*" in names
        self.accounts = frozenset(names - {"*"})

    def allows(self, account_id: str) -> bool:
        return self.everyone or account_id in self.accounts

    def check(self, account_id: str, image: str) -> None:
        if not self.allows(account_id):
            raise ValidationException(
                f"Script mode (TrainingImage {image}) is not enabled for account {account_id}: "
                "it runs your own training script with the server's privileges, so it is off "
                f"unless the operator enables it, e.g. {SETTING}={account_id} (comma-separated "
                "account ids, or * for every account) in the server's environment."
            )


@dataclass(frozen=True)
class ScriptSpec:
    """What the SDK's hyperparameters ask for: the entry point, the source archive, and the
    script's own hyperparameters (decoded from JSON where they are JSON, as the toolkit does)."""

    program: str
    submit_directory: str
    hyperparameters: dict[str, Any]
    raw: dict[str, str]

    def arguments(self) -> list[str]:
        """``--name value`` for each hyperparameter, sorted, as the training toolkit passes
        them (``-n`` for a one-letter name, a mapping as ``k=v,k2=v2``)."""
        found: list[str] = []
        for name in sorted(self.hyperparameters):
            value = self.hyperparameters[name]
            if isinstance(value, dict):
                text = ",".join(f"{key}={item}" for key, item in sorted(value.items()))
            else:
                text = str(value)
            found += [f"--{name}" if len(name) > 1 else f"-{name}", text]
        return found

    def environment(self) -> dict[str, str]:
        """``SM_HPS`` and ``SM_HP_<NAME>``."""
        found = {"SM_HPS": json.dumps(self.hyperparameters)}
        for name, value in self.hyperparameters.items():
            text = value if isinstance(value, str) else json.dumps(value)
            found[f"SM_HP_{name.upper()}"] = text
        return found


def decoded(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def spec(hyperparameters: dict[str, str]) -> ScriptSpec:
    program = decoded(hyperparameters.get(PROGRAM, ""))
    directory = decoded(hyperparameters.get(SUBMIT_DIRECTORY, ""))
    if not isinstance(program, str) or not program:
        raise ValidationException(
            f"Script mode needs the hyperparameter {PROGRAM}: the entry point's file name in "
            "the source directory, JSON-encoded as the SageMaker Python SDK sends it "
            '("\\"train.py\\"").'
        )
    path = PurePosixPath(program)
    if path.is_absolute() or ".." in path.parts or not program.endswith(".py"):
        raise ValidationException(
            f"{PROGRAM}={program!r} must be a .py file inside the source directory."
        )
    if not isinstance(directory, str) or not directory.startswith("s3://"):
        raise ValidationException(
            f"Script mode needs the hyperparameter {SUBMIT_DIRECTORY}: the s3:// URI of the "
            "source directory's tar.gz (sourcedir.tar.gz)."
        )
    own = {}
    for name, text in hyperparameters.items():
        if name.startswith("sagemaker_"):
            continue  # the SDK's own (sagemaker_region, sagemaker_container_log_level...)
        if not HYPERPARAMETER_NAME.fullmatch(name):
            raise ValidationException(f"Hyperparameter name {name!r} is not valid.")
        own[name] = decoded(text)
    return ScriptSpec(program, directory, own, dict(hyperparameters))


def check_channel_name(name: str) -> None:
    if not CHANNEL_NAME.fullmatch(name):
        raise ValidationException(
            f"Channel name {name!r} is not valid: letters, digits, '.', '-' and '_' only."
        )


def metric_definitions(definitions: list[dict[str, str]]) -> list[tuple[str, re.Pattern[str]]]:
    if len(definitions) > MAX_METRICS:
        raise ValidationException(f"At most {MAX_METRICS} MetricDefinitions are allowed.")
    compiled = []
    for definition in definitions:
        name, regex = definition["Name"], definition["Regex"]
        if len(regex) > MAX_REGEX:
            raise ValidationException(f"The Regex of metric {name} is longer than {MAX_REGEX}.")
        try:
            pattern = re.compile(regex)
        except re.error as error:
            raise ValidationException(f"The Regex of metric {name} is invalid: {error}") from None
        if pattern.groups < 1:
            raise ValidationException(
                f"The Regex of metric {name} needs a capture group for the value, e.g. "
                "'loss=([0-9.]+)'."
            )
        compiled.append((name, pattern))
    return compiled
