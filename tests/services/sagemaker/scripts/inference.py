"""The serving side of train.py (SageMaker's PyTorch inference convention): the training
script copies this file to ``model_dir/code/inference.py``. A request is JSON
``{"hours": [24 values]}``; the answer ``{"next_hour": value}``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

WINDOW = 24


def model_fn(model_dir: str) -> torch.nn.Module:
    network = torch.nn.Sequential(
        torch.nn.Linear(WINDOW, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1)
    )
    network.load_state_dict(torch.load(Path(model_dir) / "model.pth", weights_only=True))
    network.eval()
    return network


def input_fn(body: bytes, content_type: str) -> tuple[torch.Tensor, float]:
    if content_type != "application/json":
        raise ValueError(f"send application/json, not {content_type}")
    hours = [float(value) for value in json.loads(body)["hours"]]
    if len(hours) != WINDOW:
        raise ValueError(f"send {WINDOW} hours, not {len(hours)}")
    scale = sum(hours) / len(hours) or 1.0
    return torch.tensor([[value / scale for value in hours]]), scale


def predict_fn(data: tuple[torch.Tensor, float], model: torch.nn.Module) -> float:
    inputs, scale = data
    with torch.no_grad():
        return float(model(inputs)[0, 0]) * scale


def output_fn(prediction: float, accept: str) -> Any:
    return json.dumps({"next_hour": prediction}), "application/json"
