"""CUDA against the CPU, same machine, same run: MTCNN detection and the forecasting network.

    python bench/gpu_check.py mtcnn            # needs CUDA and `sensorium models fetch`
    python bench/gpu_check.py forecast cuda    # and `forecast cpu`, pinned to other cores:
    taskset -c 0-1 python bench/gpu_check.py forecast cuda &
    taskset -c 2-3 python bench/gpu_check.py forecast cpu

Prints one JSON line per check. SENSORIUM_BENCH_DATA overrides ../shared/data (copy the
M4 Weekly CSVs and the face photos there when the GPU machine has no shared folder).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SENSORIUM_BENCH_DATA", ROOT.parent / "shared" / "data"))


def photos() -> dict[str, np.ndarray]:
    from PIL import Image

    folder = DATA / "faces" / "facenet_pytorch" / "data"
    found = {path.name: path for path in [folder / "multiface.jpg"]}
    for path in sorted((folder / "test_images").glob("*/*.jpg")):
        found[f"{path.parent.name}-{path.name}"] = path
    found["astronaut.png"] = DATA / "faces" / "skimage_faces" / "astronaut.png"
    return {name: np.array(Image.open(path).convert("RGB")) for name, path in found.items()}


def mtcnn() -> dict[str, Any]:
    from sensorium.models.faces.mtcnn import MtcnnDetector

    images = photos()
    result: dict[str, Any] = {}
    boxes: dict[str, dict[str, list[list[float]]]] = {}
    devices = ("cpu", "cuda") if torch.cuda.is_available() else ("cpu",)
    for device in devices:
        detector = MtcnnDetector(device=device)  # the configured models directory
        detector.load()
        for rgb in images.values():
            detector.detect(rgb)  # warm-up
        times, found = [], {}
        for _ in range(5):
            for name, rgb in images.items():
                started = time.perf_counter()
                faces = detector.detect(rgb)
                times.append(time.perf_counter() - started)
                found[name] = [[f.box.left, f.box.top, f.box.right, f.box.bottom] for f in faces]
        result[f"{device}_ms_per_image"] = 1000 * float(np.mean(times))
        boxes[device] = found
    if len(devices) == 1:
        return result
    result["same_face_counts"] = all(len(boxes["cpu"][n]) == len(boxes["cuda"][n]) for n in images)
    result["max_box_difference_px"] = max(
        float(np.max(np.abs(np.array(boxes["cpu"][n]) - np.array(boxes["cuda"][n]))))
        for n in images
        if boxes["cpu"][n] and len(boxes["cpu"][n]) == len(boxes["cuda"][n])
    )
    return result


def forecast(device: str) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from bench.forecast_m4 import SETS, load, scores
    from sensorium.models.forecasting import metrics
    from sensorium.models.forecasting.deepar import DeepAR, DeepARConfig
    from tests.models.forecasting.test_deepar import HORIZON, promoted_series

    horizon, season, m = SETS["Weekly"]
    train, test = load("Weekly", 1000)
    started = time.perf_counter()
    predictions = DeepAR(DeepARConfig(device=device, steps=300)).forecast(train, horizon, season)
    seconds = time.perf_counter() - started
    smape, mase, coverage = scores(train, test, predictions, m)
    histories, flags, actual = promoted_series()
    informed = DeepAR(DeepARConfig(device=device, steps=300)).forecast(
        histories, HORIZON, 24, covariates=flags
    )
    point = np.array([p.quantile(0.5) for p in informed])
    return {
        "device": device,
        "weekly_seconds": seconds,
        "weekly_smape": smape,
        "weekly_mase": mase,
        "weekly_coverage": coverage,
        "promotions_wape": metrics.wape(actual, point),
    }


def main() -> None:
    torch.set_num_threads(2)
    result = mtcnn() if sys.argv[1] == "mtcnn" else forecast(sys.argv[2])
    result["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    result["torch"] = torch.__version__
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
