"""Related time series as the recurrent network's covariates.

Each target series gets the related features of its item (and of those of its forecast
dimensions that the related data has), on the target's time grid from its first value to
the end of the forecast horizon. Missing values before the horizon are filled with zero;
the horizon itself must be covered, since the network reads the future values (Amazon
Forecast has the same rule)."""

from __future__ import annotations

import numpy as np

from sensorium.services.forecast.panel import Array, Panel


class RelatedDataProblem(Exception):
    """The related data cannot serve this target; the message says which series and why."""


def covariates(target: Panel, features: dict[str, Panel], horizon: int) -> list[Array]:
    """Per target series, a (len(series) + horizon, len(features)) array."""
    columns = [_aligned(target, name, panel, horizon) for name, panel in features.items()]
    return [
        np.stack([column[index] for column in columns], axis=1)
        for index in range(len(target.items))
    ]


def _aligned(target: Panel, name: str, related: Panel, horizon: int) -> list[Array]:
    if related.frequency != target.frequency:
        raise RelatedDataProblem(
            f"The related time series has frequency {related.frequency}, the target "
            f"{target.frequency}; they must match."
        )
    shared = [dimension for dimension in target.dimensions if dimension in related.dimensions]
    try:
        related = related.grouped(shared, mean=True)
    except ValueError as error:
        raise RelatedDataProblem(str(error)) from None
    lookup = {related.key(index): index for index in range(len(related.items))}
    grid = target.grid
    aligned = []
    for index in range(len(target.items)):
        key = (target.items[index], *(target.dimensions[d][index] for d in shared))
        described = ", ".join(f"{n} {v!r}" for n, v in zip(("item", *shared), key, strict=True))
        found = lookup.get(key)
        if found is None:
            raise RelatedDataProblem(f"The related time series has no {name} for {described}.")
        length = len(target.values[index]) + horizon
        # Steps from the related series' start to the target's (negative: it starts later).
        offset = grid.steps_between(related.starts[found], target.starts[index])
        if offset is None:
            raise RelatedDataProblem(
                f"The related {name} of {described} is not on the target's time grid."
            )
        column = np.full(length, np.nan)
        source = related.values[found]
        at = np.arange(length) + offset
        inside = (at >= 0) & (at < len(source))
        column[inside] = source[at[inside]]
        future = column[len(target.values[index]) :]
        if np.isnan(future).any():
            end = grid.advance(target.starts[index], length - 1)
            raise RelatedDataProblem(
                f"The related {name} of {described} does not cover the forecast horizon; "
                f"it must have values until {end.isoformat(sep=' ')}."
            )
        aligned.append(np.nan_to_num(column, nan=0.0))
    return aligned
