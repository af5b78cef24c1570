"""The ``sensorium train ...`` and ``sensorium sentiment ...`` commands.

Building the parsers imports nothing heavy; torch loads only when a command runs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

# Where the package's own artifacts live (sensorium/models/text/artifacts).
SHIPPED_ARTIFACTS = Path(__file__).resolve().parents[1] / "models" / "text" / "artifacts"


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    models = parser.add_subparsers(dest="model", required=True)
    add_sentiment_training_arguments(
        models.add_parser("sentiment", help="the Comprehend sentiment classifier (SST-2)")
    )
    add_tagger_training_arguments(
        models.add_parser("syntax", help="the Comprehend part-of-speech tagger (UD EWT)"),
        "UD English EWT folder (en_ewt-ud-dev.conllu, en_ewt-ud-test.conllu)",
    )
    add_tagger_training_arguments(
        models.add_parser("entities", help="the Comprehend entity tagger (WNUT 2017)"),
        "WNUT 2017 folder (wnut17train.conll, emerging.dev.conll, emerging.test.annotated)",
    )


def add_tagger_training_arguments(parser: argparse.ArgumentParser, data: str) -> None:
    option = parser.add_argument
    option("--data", type=Path, required=True, help=data)
    option("--out", type=Path, default=SHIPPED_ARTIFACTS, help="artifact folder")
    option("--seed", type=int, default=13)
    option("--epochs", type=int, default=12)
    option("--learning-rate", type=float, default=2e-3)
    option("--threads", type=int, default=1, help="CPU threads for torch")
    option("--cache", type=Path, default=Path.home() / ".cache" / "sensorium")


def add_sentiment_training_arguments(parser: argparse.ArgumentParser) -> None:
    option = parser.add_argument
    option("--data", type=Path, required=True, help="folder with train.tsv and dev.tsv")
    option("--out", type=Path, default=SHIPPED_ARTIFACTS, help="artifact folder")
    option("--variant", choices=("head", "lora", "all"), default="all")
    option("--seed", type=int, default=13)
    option("--max-tokens", type=int, default=64)
    option("--calibration-size", type=int, default=2000, help="held-out phrases for calibration")
    option("--head-train-size", type=int, default=20000)
    option("--head-epochs", type=int, default=30)
    option("--finetune-train-size", type=int, default=60000)
    option("--batch-size", type=int, default=32)
    option("--learning-rate", type=float, default=5e-4)
    option("--lora-rank", type=int, default=8)
    option("--lora-alpha", type=float, default=16.0)
    option("--threads", type=int, default=1, help="CPU threads for torch")
    option("--cache", type=Path, default=Path.home() / ".cache" / "sensorium")
    option("--device", default=None, help="cpu or cuda (default: cuda when present)")


def train_command(args: argparse.Namespace) -> int:
    from sensorium.training import sentiment

    if args.model == "sentiment":
        return sentiment.train_command(args)
    if args.model in ("syntax", "entities"):
        from sensorium.training import tagging

        return (
            tagging.train_syntax(args) if args.model == "syntax" else tagging.train_entities(args)
        )
    raise ValueError(f"unknown model {args.model!r}")


def add_sentiment_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", help="English text to analyse")
    parser.add_argument("--variant", help="sentiment artifact variant (default: shipped default)")


def sentiment_command(args: argparse.Namespace) -> int:
    """Print what DetectSentiment would answer for ``text``, as JSON."""
    import torch

    from sensorium.models.text.classifier import SentimentClassifier
    from sensorium.models.text.document import analyze

    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    from sensorium.config import Settings

    classifier = SentimentClassifier(args.variant or Settings().comprehend.sentiment_variant)
    classifier.load("cpu")
    result = analyze(classifier, [args.text])[0]
    answer = {
        "Sentiment": result.label,
        "SentimentScore": result.scores(),
        "Model": classifier.name,
    }
    print(json.dumps(answer, indent=2))
    return 0
