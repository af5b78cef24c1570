"""The shipped sentiment artifacts and the command that produces them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from sensorium.models.text.classifier import (
    ARTIFACTS_DIR,
    DEFAULT_VARIANT,
    SentimentClassifier,
    artifact_paths,
)
from sensorium.training import commands
from tests.conftest import shared_data

MAX_ARTIFACT_BYTES = 20 * 1024 * 1024


def _variants() -> list[str]:
    return sorted(p.stem.removeprefix("sentiment-") for p in ARTIFACTS_DIR.glob("sentiment-*.json"))


def test_default_variant_is_shipped() -> None:
    assert DEFAULT_VARIANT in _variants()


@pytest.mark.parametrize("variant", _variants())
def test_artifact_is_small_and_says_how_it_was_made(variant: str) -> None:
    weights, meta = artifact_paths(variant)
    assert weights.stat().st_size <= MAX_ARTIFACT_BYTES
    metadata = json.loads(meta.read_text())
    assert metadata["variant"] == variant
    for key in ("seed", "max_tokens", "train_size", "temperature", "dev_accuracy", "arguments"):
        assert key in metadata
    assert len(metadata["data"]["train_sha256"]) == 64


def test_default_model_separates_clear_cases() -> None:
    classifier = SentimentClassifier()
    classifier.load("cpu")
    good, bad = classifier.score(["A moving, beautiful film.", "Boring and badly acted."])
    assert good.positive > 0.8 > 0.2 > bad.positive


def test_train_command_builds_loadable_artifacts(tmp_path: Path) -> None:
    source = shared_data("sentiment", "sst2")
    data = tmp_path / "data"
    data.mkdir()
    for name, lines in (("train.tsv", 201), ("dev.tsv", 61)):
        head = (source / name).read_text(encoding="utf-8").splitlines()[:lines]
        (data / name).write_text("\n".join(head) + "\n", encoding="utf-8")
    parser = argparse.ArgumentParser()
    commands.add_sentiment_training_arguments(parser)
    out = tmp_path / "out"
    args = parser.parse_args(
        [
            "--data", str(data), "--out", str(out), "--cache", str(tmp_path / "cache"),
            "--calibration-size", "40", "--head-train-size", "160", "--head-epochs", "3",
            "--finetune-train-size", "64",
        ]
    )  # fmt: skip
    args.model = "sentiment"
    assert commands.train_command(args) == 0
    for variant in ("head", "lora"):
        classifier = SentimentClassifier(variant, folder=out)
        classifier.load("cpu")
        assert classifier.metadata["data"]["dev_size"] == 60
        (score,) = classifier.score(["fine"])
        assert 0.0 <= score.positive <= 1.0


def test_train_command_writes_to_the_shipped_folder_by_default() -> None:
    assert commands.SHIPPED_ARTIFACTS == ARTIFACTS_DIR


def test_sentiment_command_prints_the_detect_sentiment_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = argparse.Namespace(text="A warm, funny and moving film.", variant=None)
    assert commands.sentiment_command(args) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["Sentiment"] == "POSITIVE"
    assert abs(sum(answer["SentimentScore"].values()) - 1.0) < 1e-6
