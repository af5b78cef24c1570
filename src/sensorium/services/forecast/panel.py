"""A set of regular time series (one per item) and its compact npz encoding for storage."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sensorium.models.forecasting.frequency import Frequency, frequency

Array = NDArray[np.float64]


@dataclass
class Panel:
    frequency: str
    items: list[str]
    starts: list[dt.datetime]  # each item's first timestamp (naive, as in the data)
    values: list[Array]  # each item's values on the frequency grid; NaN = missing

    @property
    def grid(self) -> Frequency:
        return frequency(self.frequency)

    def end(self, index: int) -> dt.datetime:
        """The timestamp one step after item ``index``'s last value."""
        return self.grid.advance(self.starts[index], len(self.values[index]))

    def filled(self) -> list[Array]:
        """Missing values filled with zero, Amazon Forecast's default middle fill."""
        return [np.nan_to_num(series, nan=0.0) for series in self.values]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            frequency=np.array(self.frequency),
            items=np.array(self.items, dtype=str),
            starts=np.array([start.isoformat() for start in self.starts], dtype=str),
            lengths=np.array([len(series) for series in self.values], dtype=np.int64),
            values=np.concatenate(self.values) if self.values else np.zeros(0),
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
            )


def save_arrays(**arrays: NDArray[np.generic]) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def load_arrays(data: bytes) -> dict[str, NDArray[np.generic]]:
    with np.load(io.BytesIO(data)) as stored:
        return {key: stored[key] for key in stored.files}
