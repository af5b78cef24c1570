"""Sentiment on the shared SST-2 dev split: our variants against VADER and TF-IDF + logistic
regression, all measured in the same run; then documents per second and single-document
latency through the live server (boto3, BatchDetectSentiment / DetectSentiment).

    python bench/comprehend_sentiment.py [--data ../shared/data/sentiment/sst2] [--threads 2]

Accuracy is binary (SST-2 has two labels): a phrase counts as positive when the Positive score
beats the Negative one. VADER counts as positive when its compound score is >= 0.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import LiveServer  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sentiment" / "sst2"

# Out-of-distribution check: whole review sentences about things other than films, written for
# this benchmark (SST-2's dev phrases come from the same film reviews as its training phrases).
HAND_WRITTEN = [
    ("The hotel staff went out of their way to make us feel welcome.", 1),
    ("Battery life is excellent and the screen is gorgeous.", 1),
    ("Delivery was quick and the packaging was neat.", 1),
    ("I would happily recommend this plumber to anyone.", 1),
    ("The soup was rich, warm and full of flavour.", 1),
    ("Setting it up took two minutes and it has worked flawlessly since.", 1),
    ("Our guide was knowledgeable, funny and patient with the kids.", 1),
    ("Best haircut I have had in years.", 1),
    ("The new update made the app faster and easier to use.", 1),
    ("Customer support solved my problem on the first call.", 1),
    ("The room smelled of smoke and the sheets were stained.", 0),
    ("It stopped charging after a week.", 0),
    ("We waited forty minutes for a cold pizza.", 0),
    ("The instructions are confusing and half the screws were missing.", 0),
    ("Support never answered my emails.", 0),
    ("The seats were cramped and the flight was delayed twice.", 0),
    ("This update broke everything that used to work.", 0),
    ("The fabric started to tear after the first wash.", 0),
    ("Overpriced, noisy and the waiter was rude.", 0),
    ("I regret buying this blender; it leaks every time.", 0),
]


class _Split:
    def __init__(self, rows: list[tuple[str, int]]) -> None:
        self.texts = [text for text, _ in rows]
        self.labels = [label for _, label in rows]


def _tfidf_logistic(train: Any, dev: Any, extra: Any) -> tuple[float, float, float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    started = time.perf_counter()
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(C=4.0, max_iter=2000),
    )
    model.fit(train.texts, train.labels)
    seconds = time.perf_counter() - started
    on_dev = _accuracy(list(model.predict(dev.texts)), dev.labels)
    return on_dev, _accuracy(list(model.predict(extra.texts)), extra.labels), seconds


def _vader(dev: Any) -> float | None:
    """Accuracy with compound >= 0 counted positive; None when vaderSentiment is missing."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()
    predicted = [int(analyzer.polarity_scores(t)["compound"] >= 0) for t in dev.texts]
    return _accuracy(predicted, dev.labels)


def _variant(variant: str, dev: Any, extra: Any) -> tuple[float, float, float, dict[str, Any]]:
    from sensorium.models.text.classifier import SentimentClassifier
    from sensorium.models.text.document import analyze

    classifier = SentimentClassifier(variant)
    classifier.load("cpu")
    started = time.perf_counter()
    results = analyze(classifier, dev.texts)
    rate = len(dev.texts) / (time.perf_counter() - started)
    predicted = [int(r.positive > r.negative) for r in results]
    on_extra = [int(r.positive > r.negative) for r in analyze(classifier, extra.texts)]
    return (
        _accuracy(predicted, dev.labels),
        _accuracy(on_extra, extra.labels),
        rate,
        classifier.metadata,
    )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


def _accuracy(predicted: list[int], labels: list[int]) -> float:
    return sum(int(p == y) for p, y in zip(predicted, labels, strict=True)) / len(labels)


def _through_server(dev: Any, count: int) -> tuple[float, float, float]:
    """(documents/s through BatchDetectSentiment, p50 and p95 ms of one DetectSentiment)."""
    with tempfile.TemporaryDirectory() as folder:
        server = LiveServer(Path(folder) / "data").start()
        try:
            client = server.client("comprehend")
            client.detect_sentiment(Text="warm-up", LanguageCode="en")
            texts = dev.texts[:count]
            started = time.perf_counter()
            for start in range(0, len(texts), 25):
                client.batch_detect_sentiment(TextList=texts[start : start + 25], LanguageCode="en")
            rate = len(texts) / (time.perf_counter() - started)
            latencies = []
            for text in dev.texts[count : count + 200]:
                started = time.perf_counter()
                client.detect_sentiment(Text=text, LanguageCode="en")
                latencies.append((time.perf_counter() - started) * 1000)
        finally:
            server.stop()
    cuts = statistics.quantiles(latencies, n=20)
    return rate, cuts[9], cuts[18]


def main() -> None:
    import torch

    from sensorium.models.text.classifier import ARTIFACTS_DIR
    from sensorium.training.sst2 import read_split

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--server-documents", type=int, default=1000)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train, dev = read_split(args.data / "train.tsv"), read_split(args.data / "dev.tsv")

    extra = _Split(HAND_WRITTEN)
    rows = []
    vader, vader_extra = _vader(dev), _vader(extra)
    rows.append(("VADER (lexicon)", _pct(vader), _pct(vader_extra), "-", "-"))
    tfidf, tfidf_extra, tfidf_seconds = _tfidf_logistic(train, dev, extra)
    rows.append(
        (
            "TF-IDF 1-2 grams + logistic regression",
            _pct(tfidf),
            _pct(tfidf_extra),
            f"{tfidf_seconds:.0f}",
            "-",
        )
    )
    for variant in sorted(p.stem.removeprefix("sentiment-") for p in ARTIFACTS_DIR.glob("*.json")):
        accuracy, on_extra, rate, metadata = _variant(variant, dev, extra)
        rows.append(
            (
                f"MiniLM {variant} (ours)",
                _pct(accuracy),
                _pct(on_extra),
                f"{metadata['seconds']:.0f} ({metadata['threads']} thread, {metadata['device']})",
                f"{rate:.0f}",
            )
        )
    print(f"SST-2 dev: {len(dev)} phrases; torch threads {args.threads}\n", flush=True)
    print(
        f"| model | SST-2 dev accuracy | {len(extra.texts)} hand-written | training s | phrases/s |"
    )
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    rate, p50, p95 = _through_server(dev, args.server_documents)
    print(
        f"\nThrough the server (default variant, boto3): {rate:.0f} documents/s with "
        f"BatchDetectSentiment (batches of 25); DetectSentiment p50 {p50:.1f} ms, p95 {p95:.1f} ms"
    )
    print(json.dumps({"server_docs_per_s": round(rate, 1), "p50_ms": round(p50, 1)}))


if __name__ == "__main__":
    main()
