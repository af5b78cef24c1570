"""A DeepAR-style probabilistic recurrent forecaster (Salinas et al., 2020), in PyTorch.

One global GRU is trained across all series on windows standardised by their context's mean
and standard deviation. Each step sees lagged targets, seasonal-phase features, the log of
the window's standard deviation and a learned item embedding, and emits the parameters of a
Student-t distribution for the next value. Beyond the observed context the network is
unrolled on its own predicted means (in training too), and the forecast quantiles are read
off samples of each step's Student-t. Short series are left-padded; padded positions are
masked out of the loss.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from sensorium.models.forecasting.prediction import Array, Prediction, from_samples

Indices = NDArray[np.integer]


@dataclass(frozen=True)
class DeepARConfig:
    hidden_size: int = 32
    layers: int = 2
    embedding_size: int = 8
    steps: int = 1000  # gradient steps
    batch_size: int = 32
    learning_rate: float = 3e-3
    samples: int = 100
    context_multiple: int = 2  # context length = this x horizon
    device: str = "cpu"


class _Network(nn.Module):
    def __init__(self, features: int, items: int, config: DeepARConfig) -> None:
        super().__init__()
        self.embedding = nn.Embedding(items, config.embedding_size)
        self.rnn = nn.GRU(
            features + config.embedding_size,
            config.hidden_size,
            num_layers=config.layers,
            batch_first=True,
        )
        self.head = nn.Linear(config.hidden_size, 3)

    def forward(
        self, inputs: torch.Tensor, items: torch.Tensor, state: torch.Tensor | None = None
    ) -> tuple[torch.distributions.StudentT, torch.Tensor]:
        embedded = self.embedding(items)[:, None, :].expand(-1, inputs.shape[1], -1)
        output, state = self.rnn(torch.cat([inputs, embedded], dim=-1), state)
        raw = self.head(output)
        loc = raw[..., 0]
        scale = nn.functional.softplus(raw[..., 1]) + 1e-3
        df = 2.0 + nn.functional.softplus(raw[..., 2])
        return torch.distributions.StudentT(df, loc, scale), state


@dataclass
class _Batch:
    """Windows of several series, aligned by position (batch, length)."""

    values: Array  # standardised targets; NaN = padding or not yet known
    phase0: Array  # each row's seasonal phase at position 0
    log_scale: Array  # each row's log standard deviation (a static feature)
    covariates: Array | None  # (batch, length, k) standardised related series; 0 = padding
    items: torch.Tensor
    shape: _Shape


class _Features:
    """Builds the per-step inputs from a batch of windows."""

    def __init__(self, season: int, lags: list[int], covariates: int) -> None:
        self.season = season
        self.lags = lags
        self.covariates = covariates
        self.size = len(lags) + 2 + (2 if season > 1 else 0) + covariates

    def build(self, batch: _Batch, start: int, end: int) -> Array:
        """Inputs for predicting positions start..end-1: lagged targets, log scale, seasonal
        phase, the steps ahead, and the related series' values at the predicted position."""
        values = batch.values
        positions = np.arange(start, end)
        columns = []
        for lag in self.lags:
            lagged = (
                values[:, positions - lag] if start - lag >= 0 else _shift(values, positions, lag)
            )
            columns.append(np.nan_to_num(lagged, nan=0.0))
        columns.append(np.repeat(batch.log_scale[:, None], len(positions), axis=1))
        # How far into the rollout (0 over the observed context): lets the bands widen.
        ahead = np.maximum(positions - batch.shape.span + 1, 0) / batch.shape.horizon
        columns.append(np.repeat(ahead[None, :], len(values), axis=0))
        if self.season > 1:
            phase = (batch.phase0[:, None] + positions[None, :]) % self.season
            angle = 2 * math.pi * phase / self.season
            columns += [np.sin(angle), np.cos(angle)]
        if batch.covariates is not None:
            columns += list(np.moveaxis(batch.covariates[:, positions, :], -1, 0))
        stacked = np.stack(columns, axis=-1)
        return stacked.reshape(values.shape[0], len(positions), self.size)


def _shift(values: Array, positions: Indices, lag: int) -> Array:
    index = positions - lag
    out = np.full((values.shape[0], len(positions)), np.nan)
    valid = index >= 0
    out[:, valid] = values[:, index[valid]]
    return out


class DeepAR:
    name = "Deep_AR_Plus"

    def __init__(self, config: DeepARConfig | None = None) -> None:
        self.config = config or DeepARConfig()

    def forecast(
        self,
        histories: list[Array],
        horizon: int,
        season: int,
        seed: int = 0,
        covariates: list[Array] | None = None,
    ) -> list[Prediction]:
        """``covariates``: per series, related values (len(history) + horizon, k), known
        over the forecast horizon too."""
        config = self.config
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        context = max(config.context_multiple * horizon, 8)
        lags = _lags(histories, season)
        related = _standardise_covariates(covariates)
        features = _Features(season, lags, related[0].shape[1] if related else 0)
        history = max(lags)
        network = _Network(features.size, len(histories), config).to(config.device)
        shape = _Shape(history, context, horizon)
        self._train(network, features, histories, related, shape, rng)
        return self._predict(network, features, histories, related, shape)

    def _train(
        self,
        network: _Network,
        features: _Features,
        histories: list[Array],
        related: list[Array] | None,
        shape: _Shape,
        rng: np.random.Generator,
    ) -> None:
        config = self.config
        optimiser = torch.optim.Adam(network.parameters(), lr=config.learning_rate)
        network.train()
        for _ in range(config.steps):
            items = rng.integers(0, len(histories), config.batch_size)
            ends = _window_ends(histories, items, shape.window, rng)
            batch, _, _ = _batch(histories, related, items, ends, shape, config)
            targets = batch.values[:, shape.history :]
            distributions = _rollout(network, features, batch, shape, config)
            log_prob = torch.cat(
                [
                    d.log_prob(_tensor(np.nan_to_num(part), config))
                    for d, part in zip(distributions, _split(targets, shape.context), strict=True)
                ],
                dim=1,
            )
            mask = _tensor((~np.isnan(targets)).astype(np.float64), config)
            loss: Any = -(log_prob * mask).sum() / mask.sum().clamp(min=1.0)
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(network.parameters(), 10.0)
            optimiser.step()

    @torch.no_grad()
    def _predict(
        self,
        network: _Network,
        features: _Features,
        histories: list[Array],
        related: list[Array] | None,
        shape: _Shape,
    ) -> list[Prediction]:
        config = self.config
        network.eval()
        items = np.arange(len(histories))
        # Each window ends ``horizon`` steps after its series: those values are to be forecast.
        ends = np.array([len(series) + shape.horizon for series in histories])
        batch, center, scale = _batch(histories, related, items, ends, shape, config)
        distributions = _rollout(network, features, batch, shape, config)[1:]
        # (samples, items, horizon): each step's likelihood, sampled, in the series' units.
        draws = torch.cat([d.sample((config.samples,)) for d in distributions], dim=2)
        samples = draws.cpu().double().numpy() * scale[None, :, None] + center[None, :, None]
        predictions = []
        for index, series in enumerate(histories):
            item_samples = samples[:, index, :]
            if np.all(series >= 0):
                item_samples = np.maximum(item_samples, 0.0)
            predictions.append(from_samples(item_samples))
        return predictions


@dataclass(frozen=True)
class _Shape:
    """A window: ``history`` positions that only feed lags, then ``context`` observed
    positions (teacher-forced), then ``horizon`` positions the network rolls out."""

    history: int
    context: int
    horizon: int

    @property
    def span(self) -> int:
        return self.history + self.context

    @property
    def window(self) -> int:
        return self.span + self.horizon


def _batch(
    histories: list[Array],
    related: list[Array] | None,
    items: Indices,
    ends: Indices,
    shape: _Shape,
    config: DeepARConfig,
) -> tuple[_Batch, Array, Array]:
    """Windows of the given series ending (exclusively) at ``ends``; positions past a
    series' end are NaN. Returns the batch and each row's centre and scale."""
    window = shape.window
    values = np.full((len(items), window), np.nan)
    covariates = None if related is None else np.zeros((len(items), window, related[0].shape[1]))
    for row, (item, end) in enumerate(zip(items, ends, strict=True)):
        series = histories[int(item)]
        first = max(0, end - window)
        tail = series[first : min(end, len(series))]
        values[row, first - (end - window) : first - (end - window) + len(tail)] = tail
        if covariates is not None and related is not None:
            known = related[int(item)][first:end]
            covariates[row, window - len(known) :] = known
    center, scale = _normaliser(values[:, shape.history : shape.span])
    batch = _Batch(
        (values - center[:, None]) / scale[:, None],
        (ends - window).astype(np.float64),
        np.log(scale),
        covariates,
        _items(items, config),
        shape,
    )
    return batch, center, scale


def _rollout(
    network: _Network, features: _Features, batch: _Batch, shape: _Shape, config: DeepARConfig
) -> list[Any]:
    """The network's Student-t distributions (``Any``: torch's are untyped) for positions
    ``history..`` of the batch: one over the observed context (teacher-forced), then one per
    horizon step, each fed the previous steps' predicted means as its lags.

    Training and forecasting both unroll this way, so the network learns the multi-step
    error of its own rollout. (Trained on observed lags alone and sampled ancestrally, it
    learned a one-step extrapolation that drifted within a few steps: on 100 M4 Hourly series
    sMAPE 19.9 with only 19 % of held-out points inside its p10-p90 band.)"""
    rolled = _Batch(
        batch.values.copy(),
        batch.phase0,
        batch.log_scale,
        batch.covariates,
        batch.items,
        batch.shape,
    )
    inputs = features.build(rolled, shape.history, shape.span)
    distribution, state = network(_tensor(inputs, config), batch.items)
    distributions = [distribution]
    for position in range(shape.span, shape.window):
        step_inputs = features.build(rolled, position, position + 1)
        distribution, state = network(_tensor(step_inputs, config), batch.items, state)
        distributions.append(distribution)
        rolled.values[:, position] = distribution.loc[:, 0].detach().cpu().double().numpy()
    return distributions


def _split(targets: Array, context: int) -> list[Array]:
    """The targets in ``_rollout``'s order: the context block, then one column per step."""
    return [targets[:, :context]] + [
        targets[:, position : position + 1] for position in range(context, targets.shape[1])
    ]


# A second, longer cycle whose lags help: hourly data (season 24) repeats weekly too.
_LONGER_CYCLE = {24: 168}


def _lags(histories: list[Array], season: int) -> list[int]:
    """Short lags, and each seasonal cycle that the typical (median) series spans three times.

    The median rather than the shortest: a backtest trains on series a horizon or two
    shorter than the final fit's, and one short series must not take the seasonal lag from
    every fit that tests the final one (shorter series read the missing lags as zeros)."""
    lags = [1, 2, 3, 4, 5, 6, 7]
    typical = int(np.median([len(series) for series in histories]))
    if season > 1:
        cycles = [season, 2 * season]
        if season in _LONGER_CYCLE:
            cycles += [_LONGER_CYCLE[season], 2 * _LONGER_CYCLE[season]]
        lags += [lag for lag in cycles if lag <= max(typical // 3, 1)]
    return sorted(set(lags))


def _window_ends(
    histories: list[Array], items: Indices, window: int, rng: np.random.Generator
) -> Indices:
    """Random training windows: each ends anywhere from half a window into its series."""
    ends = np.empty(len(items), dtype=np.int64)
    for row, item in enumerate(items):
        length = len(histories[int(item)])
        ends[row] = rng.integers(min(length, max(window // 2, 2)), length + 1)
    return ends


def _standardise_covariates(covariates: list[Array] | None) -> list[Array] | None:
    """Each related feature standardised over all series (so levels stay comparable
    between items); a constant feature becomes zero."""
    if not covariates:
        return None
    stacked = np.concatenate(covariates, axis=0)
    center = stacked.mean(axis=0)
    spread = stacked.std(axis=0)
    spread = np.where(spread > 0, spread, 1.0)
    return [np.nan_to_num((c - center) / spread, nan=0.0) for c in covariates]


def _normaliser(values: Array) -> tuple[Array, Array]:
    """Each row's mean and standard deviation over its observed (non-NaN) values.

    Standardising, rather than DeepAR's division by the mean, keeps the shape of series with
    a high level and small swings visible to the network: on all 414 M4 Hourly series it
    took MASE from 3.08 to 1.32 (sMAPE 14.4 to 13.8)."""
    observed = ~np.isnan(values)
    count = observed.sum(axis=1)
    filled = np.where(observed, values, 0.0)
    center = filled.sum(axis=1) / np.maximum(count, 1)
    deviation = np.where(observed, values - center[:, None], 0.0)
    spread = np.sqrt((deviation**2).sum(axis=1) / np.maximum(count, 1))
    level = np.abs(filled).sum(axis=1) / np.maximum(count, 1)
    fallback = np.where(level > 0, level, 1.0)  # constant rows: the level, else 1
    return center, np.where(spread > 1e-12 * np.maximum(level, 1.0), spread, fallback)


def _tensor(array: Array, config: DeepARConfig) -> torch.Tensor:
    return torch.as_tensor(array, dtype=torch.float32, device=config.device)


def _items(items: Indices, config: DeepARConfig) -> torch.Tensor:
    return torch.as_tensor(items, dtype=torch.long, device=config.device)
