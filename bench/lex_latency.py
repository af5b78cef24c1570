"""RecognizeText latency through the server, against TF-IDF + logistic regression trained on
the same sample utterances, in the same run.

The bot is examples/order-flowers.json, created and built through boto3. Each request is the
first turn of a new session (intent classification, slot filling, dialog, session write).

    python bench/lex_latency.py [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sensorium.services.lex.cli import create  # noqa: E402
from tests.conftest import LiveServer  # noqa: E402

UTTERANCES = [
    "I would like to order some roses",
    "can I get tulips for tomorrow",
    "when does the store open",
    "send me lilies on friday at 3 pm",
    "what's the weather like on mars",
]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def tfidf_baseline(definition: dict[str, object], requests: int) -> list[float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts, labels = [], []
    for intent in definition["intents"]:  # type: ignore[attr-defined]
        for utterance in intent.get("utterances", []):
            texts.append(utterance.replace("{", "").replace("}", ""))
            labels.append(intent["name"])
    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    model = LogisticRegression(max_iter=1000).fit(vectorizer.fit_transform(texts), labels)
    times = []
    for n in range(requests):
        started = time.perf_counter()
        model.predict_proba(vectorizer.transform([UTTERANCES[n % len(UTTERANCES)]]))
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    definition = json.loads((ROOT / "examples" / "order-flowers.json").read_text())
    with tempfile.TemporaryDirectory() as scratch:
        server = LiveServer(Path(scratch) / "data", env={"SENSORIUM_SERVICES": "lex"})
        server.start().wait_ready()
        try:
            models = server.client("lexv2-models")
            runtime = server.client("lexv2-runtime")
            bot_id, locale = create(models, definition)
            where = {"botId": bot_id, "botVersion": "DRAFT", "localeId": locale}
            started = time.perf_counter()
            models.build_bot_locale(**where)
            models.get_waiter("bot_locale_built").wait(
                **where, WaiterConfig={"Delay": 1, "MaxAttempts": 600}
            )
            build = time.perf_counter() - started
            ours = []
            for n in range(args.requests + 5):
                started = time.perf_counter()
                runtime.recognize_text(
                    botId=bot_id,
                    botAliasId="TSTALIASID",
                    localeId=locale,
                    sessionId=uuid.uuid4().hex,
                    text=UTTERANCES[n % len(UTTERANCES)],
                )
                if n >= 5:  # the first calls load the built model
                    ours.append((time.perf_counter() - started) * 1000)
        finally:
            server.stop()
    baseline = tfidf_baseline(definition, args.requests)
    print(f"build of the example bot through boto3: {build:.1f} s\n")
    print("| path | p50 ms | p99 ms |")
    print("|---|---|---|")
    print(
        f"| RecognizeText (boto3 → server) | {percentile(ours, 50):.1f} | "
        f"{percentile(ours, 99):.1f} |"
    )
    print(
        f"| TF-IDF + LR predict, in-process | {percentile(baseline, 50):.2f} | "
        f"{percentile(baseline, 99):.2f} |"
    )


if __name__ == "__main__":
    main()
