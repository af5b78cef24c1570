"""A user's own SageMaker training script (script mode), as AWS's PyTorch estimator runs it:
a small network that forecasts the next hour of M4 hourly series from the previous
``window`` hours. It reads the training toolkit's environment (SM_CHANNEL_TRAIN, SM_MODEL_DIR,
SM_OUTPUT_DATA_DIR...) and its hyperparameters as ``--name value`` arguments."""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
from pathlib import Path

import torch


def series(folder: Path) -> list[list[float]]:
    """Every row of every CSV file: an id, then the values (empty cells end a series)."""
    found = []
    for path in sorted(folder.rglob("*.csv")):
        with path.open() as handle:
            rows = csv.reader(handle)
            next(rows)
            for row in rows:
                values = [float(cell) for cell in row[1:] if cell]
                found.append(values)
    return found


def windows(rows: list[list[float]], width: int) -> tuple[torch.Tensor, torch.Tensor]:
    inputs, targets = [], []
    for values in rows:
        scale = sum(values) / len(values) or 1.0
        scaled = [value / scale for value in values]
        for start in range(len(scaled) - width):
            inputs.append(scaled[start : start + width])
            targets.append([scaled[start + width]])
    return torch.tensor(inputs), torch.tensor(targets)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--learning_rate", type=float, default=0.01)
    parser.add_argument("--window", type=int, default=24)
    parser.add_argument("--optimizer", default="adam")
    parser.add_argument("--model-dir", default=os.environ["SM_MODEL_DIR"])
    parser.add_argument("--train", default=os.environ["SM_CHANNEL_TRAIN"])
    args = parser.parse_args()

    torch.manual_seed(0)
    inputs, targets = windows(series(Path(args.train)), args.window)
    print(f"{len(inputs)} windows of {args.window} hours", flush=True)
    network = torch.nn.Sequential(
        torch.nn.Linear(args.window, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1)
    )
    optimizer = torch.optim.Adam(network.parameters(), lr=args.learning_rate)
    for epoch in range(1, args.epochs + 1):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(network(inputs), targets)
        loss.backward()  # type: ignore[no-untyped-call]
        optimizer.step()
        print(f"epoch={epoch} loss={loss.item():.6f}", flush=True)
    model_dir = Path(args.model_dir)
    torch.save(network.state_dict(), model_dir / "model.pth")
    if Path("inference.py").is_file():  # how an endpoint serves it
        (model_dir / "code").mkdir()
        shutil.copy("inference.py", model_dir / "code" / "inference.py")

    seen = {
        "argv": sys.argv[1:],
        "hps": json.loads(os.environ["SM_HPS"]),
        "channels": json.loads(os.environ["SM_CHANNELS"]),
        "hp_epochs": os.environ["SM_HP_EPOCHS"],
        "current_host": os.environ["SM_CURRENT_HOST"],
        "hosts": json.loads(os.environ["SM_HOSTS"]),
        "num_gpus": int(os.environ["SM_NUM_GPUS"]),
        "num_cpus": int(os.environ["SM_NUM_CPUS"]),
        "server_variables": sorted(name for name in os.environ if name.startswith("SENSORIUM")),
        "cwd_files": sorted(os.listdir(".")),
    }
    (Path(os.environ["SM_OUTPUT_DATA_DIR"]) / "seen.json").write_text(json.dumps(seen))


if __name__ == "__main__":
    main()
