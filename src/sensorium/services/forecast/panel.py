"""A set of regular time series and its compact npz encoding for storage.

A series is identified by its item and, when the target dataset's schema has further string
attributes (forecast dimensions such as a store), by their values too."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sensorium.models.forecasting.frequency import Frequency, frequency

Array = NDArray[np.float64]

# One series spans at most this many steps of its frequency (a limit of this server: two rows
# a century apart at one-minute frequency would otherwise allocate gigabytes).
MAX_SERIES_STEPS = 1_000_000


@dataclass
class Panel:
    frequency: str
    items: list[str]
    starts: list[dt.datetime]  # each item's first timestamp (naive, as in the data)
    values: list[Array]  # each item's values on the frequency grid; NaN = missing
    # dimension attribute -> each series' value of it (empty when the schema has none)
    dimensions: dict[str, list[str]] = field(default_factory=dict)

    @property
    def grid(self) -> Frequency:
        return frequency(self.frequency)

    def end(self, index: int) -> dt.datetime:
        """The timestamp one step after item ``index``'s last value."""
        return self.grid.advance(self.starts[index], len(self.values[index]))

    def filled(self) -> list[Array]:
        """Missing values filled with zero, Amazon Forecast's default middle fill."""
        return [np.nan_to_num(series, nan=0.0) for series in self.values]

    def key(self, index: int) -> tuple[str, ...]:
        """Series ``index``'s item and dimension values."""
        return (self.items[index], *(values[index] for values in self.dimensions.values()))

    def grouped(self, dimensions: list[str], mean: bool = False) -> Panel:
        """The series by item and the given dimensions only: series that differ only in the
        other dimensions are summed step by step (a step missing from all of them stays
        missing), as Amazon Forecast aggregates the target; with ``mean``, averaged instead
        (related series such as prices). ``ValueError`` when such series are not on one time
        grid."""
        if list(self.dimensions) == dimensions:
            return self
        unknown = set(dimensions) - set(self.dimensions)
        if unknown:
            raise KeyError(f"not dimensions of this data: {sorted(unknown)}")
        members: dict[tuple[str, ...], list[int]] = {}
        for index, item in enumerate(self.items):
            key = (item, *(self.dimensions[name][index] for name in dimensions))
            members.setdefault(key, []).append(index)
        grid = self.grid
        starts, values = [], []
        for indices in members.values():
            start = min(self.starts[i] for i in indices)
            offsets = []
            for i in indices:
                offset = grid.steps_between(start, self.starts[i])
                if offset is None:
                    raise ValueError(
                        f"The series of item {self.items[i]!r} starting at {self.starts[i]} "
                        f"and {start} are not on one {self.frequency} grid; they cannot be "
                        "summed."
                    )
                offsets.append(offset)
            length = max(
                offset + len(self.values[i]) for offset, i in zip(offsets, indices, strict=True)
            )
            if length > MAX_SERIES_STEPS:
                raise ValueError(
                    f"The series of item {self.items[indices[0]]!r} together span {length} "
                    f"steps; at most {MAX_SERIES_STEPS} are allowed."
                )
            total = np.zeros(length)
            seen = np.zeros(length)
            for offset, i in zip(offsets, indices, strict=True):
                series = self.values[i]
                present = ~np.isnan(series)
                total[offset : offset + len(series)] += np.where(present, series, 0.0)
                seen[offset : offset + len(series)] += present
            if mean:
                total = total / np.maximum(seen, 1)
            starts.append(start)
            values.append(np.where(seen > 0, total, np.nan))
        keys = list(members)
        return Panel(
            self.frequency,
            [key[0] for key in keys],
            starts,
            values,
            {name: [key[1 + n] for key in keys] for n, name in enumerate(dimensions)},
        )

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            frequency=np.array(self.frequency),
            items=np.array(self.items, dtype=str),
            starts=np.array([start.isoformat() for start in self.starts], dtype=str),
            lengths=np.array([len(series) for series in self.values], dtype=np.int64),
            values=np.concatenate(self.values) if self.values else np.zeros(0),
            **dimension_arrays(self.dimensions),  # type: ignore[arg-type]
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Panel:
        with np.load(io.BytesIO(data)) as stored:
            lengths = stored["lengths"]
            values = np.split(stored["values"], np.cumsum(lengths)[:-1]) if len(lengths) else []
            return cls(
                str(stored["frequency"]),
                [str(item) for item in stored["items"]],
                [dt.datetime.fromisoformat(str(start)) for start in stored["starts"]],
                [np.asarray(series, dtype=np.float64) for series in values],
                read_dimensions(stored),
            )


def dimension_arrays(dimensions: dict[str, list[str]]) -> dict[str, NDArray[np.str_]]:
    """The dimensions as npz arrays (nothing when there are none)."""
    if not dimensions:
        return {}
    return {
        "dimension_names": np.array(list(dimensions), dtype=str),
        "dimension_values": np.array(list(dimensions.values()), dtype=str),
    }


def read_dimensions(stored: Any) -> dict[str, list[str]]:
    """The inverse of ``dimension_arrays`` (data stored before dimensions existed has none)."""
    if "dimension_names" not in stored:
        return {}
    names = [str(name) for name in stored["dimension_names"]]
    rows = stored["dimension_values"]
    return {name: [str(value) for value in rows[n]] for n, name in enumerate(names)}


def related_to_bytes(features: dict[str, Panel]) -> bytes:
    """Related time series: one panel per numeric feature."""
    arrays = {
        f"feature_{n}": np.frombuffer(panel.to_bytes(), dtype=np.uint8)
        for n, panel in enumerate(features.values())
    }
    return save_arrays(names=np.array(list(features), dtype=str), **arrays)


def related_from_bytes(data: bytes) -> dict[str, Panel]:
    stored = load_arrays(data)
    return {
        str(name): Panel.from_bytes(stored[f"feature_{n}"].tobytes())
        for n, name in enumerate(stored["names"])
    }


def save_arrays(**arrays: NDArray[np.generic]) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def load_arrays(data: bytes) -> dict[str, NDArray[np.generic]]:
    with np.load(io.BytesIO(data)) as stored:
        return {key: stored[key] for key in stored.files}
