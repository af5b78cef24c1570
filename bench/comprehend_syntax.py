"""Comprehend's taggers against simple baselines measured in the same run, then latency
through the live server against the bare models.

    python -m bench.comprehend_syntax [--ewt ../shared/data/text/ud_english_ewt]
        [--wnut ../shared/data/text/wnut17] [--threads 1] [--calls 100]

* UPOS accuracy on the held-out half of EWT test (gold tokens) vs a most-frequent-tag
  baseline learnt from the same training part (unknown words tagged by their spelling).
* Key phrases: exact-match P/R/F1 of the tag chunker against the treebank's base noun phrases
  (from its dependency trees), on predicted tags and on the gold tags (the chunker's ceiling).
* Entities: exact-match F1 on WNUT 2017 test, in WNUT's six types and in Comprehend's, vs a
  gazetteer of every entity string in train + dev (longest match, most frequent type).
* Latency: p50/p95 ms of DetectSyntax and DetectEntities on single held-out sentences through
  the server (boto3), and of the same work in-process on the bare models.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from botocore.config import Config  # noqa: E402

from sensorium.models.text.entities import WNUT_TO_COMPREHEND  # noqa: E402
from sensorium.models.text.phrases import chunk  # noqa: E402
from sensorium.training.conll import (  # noqa: E402
    Span,
    TaggedSentence,
    TreebankSentence,
    bio_spans,
    ewt_split,
    noun_phrases,
    read_wnut,
    span_scores,
)
from tests.conftest import LiveServer  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "text"
MAX_GAZETTEER_WORDS = 6


def most_frequent_tag(train: Sequence[TreebankSentence]) -> Callable[[str], str]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for sentence in train:
        for word, upos in zip(sentence.words, sentence.upos, strict=True):
            counts[word.lower()][upos] += 1

    def tag(word: str) -> str:
        seen = counts.get(word.lower())
        if seen:
            return seen.most_common(1)[0][0]
        if any(ch.isdigit() for ch in word):
            return "NUM"
        if not any(ch.isalnum() for ch in word):
            return "PUNCT"
        return "PROPN" if word[:1].isupper() else "NOUN"

    return tag


def accuracy(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> float:
    pairs = [
        (g, p) for gs, ps in zip(gold, predicted, strict=True) for g, p in zip(gs, ps, strict=True)
    ]
    return sum(g == p for g, p in pairs) / len(pairs)


def chunk_spans(tags: Sequence[str]) -> list[Span]:
    return [(start, end, "NP") for start, end in chunk(tags)]


def gazetteer(train: Sequence[TaggedSentence]) -> Callable[[list[str]], list[Span]]:
    kinds: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for sentence in train:
        for start, end, kind in bio_spans(sentence.tags):
            kinds[tuple(w.lower() for w in sentence.words[start:end])][kind] += 1
    known = {name: counter.most_common(1)[0][0] for name, counter in kinds.items()}

    def find(words: list[str]) -> list[Span]:
        lowered = [w.lower() for w in words]
        spans: list[Span] = []
        i = 0
        while i < len(words):
            for length in range(min(MAX_GAZETTEER_WORDS, len(words) - i), 0, -1):
                kind = known.get(tuple(lowered[i : i + length]))
                if kind:
                    spans.append((i, i + length, kind))
                    i += length
                    break
            else:
                i += 1
        return spans

    return find


def comprehend_spans(spans: Sequence[Span]) -> list[Span]:
    return [(start, end, WNUT_TO_COMPREHEND[kind]) for start, end, kind in spans]


def percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=20)
    return round(cuts[9], 1), round(cuts[18], 1)


def timed(calls: Sequence[Callable[[], Any]]) -> tuple[float, float]:
    latencies = []
    for call in calls:
        started = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - started) * 1000)
    return percentiles(latencies)


def main() -> None:
    import torch

    from sensorium.models.text.tagger import ENTITIES_ARTIFACT, SYNTAX_ARTIFACT, TokenTagger

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ewt", type=Path, default=SHARED / "ud_english_ewt")
    parser.add_argument("--wnut", type=Path, default=SHARED / "wnut17")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--latency-only", action="store_true", help="skip the quality figures")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results: dict[str, Any] = {}

    syntax = TokenTagger(SYNTAX_ARTIFACT)
    syntax.load("cpu")
    entities = TokenTagger(ENTITIES_ARTIFACT)
    entities.load("cpu")
    train, held_out = ewt_split(args.ewt)
    if not args.latency_only:
        quality(args, syntax, entities, train, held_out, results)
    print(json.dumps(latency(args, syntax, entities, held_out), indent=2))


def quality(
    args: argparse.Namespace,
    syntax: Any,
    entities: Any,
    train: Sequence[TreebankSentence],
    held_out: Sequence[TreebankSentence],
    results: dict[str, Any],
) -> None:
    gold_tags = [s.upos for s in held_out]
    started = time.perf_counter()
    predicted = [[w.label for w in words] for words in syntax.tag([s.words for s in held_out])]
    seconds = time.perf_counter() - started
    baseline = most_frequent_tag(train)
    results["upos"] = {
        "sentences": len(held_out),
        "words": sum(len(t) for t in gold_tags),
        "tagger": round(accuracy(gold_tags, predicted), 4),
        "most_frequent_tag_baseline": round(
            accuracy(gold_tags, [[baseline(w) for w in s.words] for s in held_out]), 4
        ),
        "words_per_second_in_process": round(sum(len(t) for t in gold_tags) / seconds),
    }
    gold_np = [noun_phrases(s) for s in held_out]
    results["key_phrases"] = {
        "predicted_tags": span_scores(gold_np, [chunk_spans(t) for t in predicted]).as_dict(),
        "gold_tags": span_scores(gold_np, [chunk_spans(t) for t in gold_tags]).as_dict(),
    }
    print(json.dumps(results, indent=2), flush=True)

    test = read_wnut(args.wnut, "test")
    gold = [bio_spans(s.tags) for s in test]
    ours = [bio_spans([w.label for w in words]) for words in entities.tag([s.words for s in test])]
    lookup = gazetteer(read_wnut(args.wnut, "train") + read_wnut(args.wnut, "dev"))
    listed = [lookup(s.words) for s in test]
    results["entities"] = {
        "wnut_types": {
            "tagger": span_scores(gold, ours).as_dict(),
            "gazetteer": span_scores(gold, listed).as_dict(),
        },
        "comprehend_types": {
            "tagger": span_scores(
                map(comprehend_spans, gold), map(comprehend_spans, ours)
            ).as_dict(),
            "gazetteer": span_scores(
                map(comprehend_spans, gold), map(comprehend_spans, listed)
            ).as_dict(),
        },
    }
    print(json.dumps(results["entities"], indent=2), flush=True)


def latency(
    args: argparse.Namespace, syntax: Any, entities: Any, held_out: Sequence[TreebankSentence]
) -> dict[str, Any]:
    from sensorium.context import RequestContext
    from sensorium.services.comprehend.linguistics import Linguistics

    results: dict[str, Any] = {}

    sample = [" ".join(s.words) for s in held_out[:: max(1, len(held_out) // args.calls)]][
        : args.calls
    ]
    bare = Linguistics(lambda: syntax, lambda: entities)
    ctx = RequestContext("bench", "000000000000", "us-east-1")
    results["latency_ms_p50_p95"] = {
        "bare_syntax": timed([partial(bare.detect_syntax, ctx, t, "en") for t in sample]),
        "bare_entities": timed([partial(bare.detect_entities, ctx, t, "en", None) for t in sample]),
    }
    with tempfile.TemporaryDirectory() as folder:
        server = LiveServer(Path(folder) / "data", env={"SENSORIUM_SERVICES": "comprehend"}).start()
        try:
            # the first call waits for the models to load, which is slow on a busy machine
            client = server.client("comprehend", config=Config(read_timeout=900))
            client.detect_syntax(Text="Warm up.", LanguageCode="en")
            client.detect_entities(Text="Warm up.", LanguageCode="en")
            results["latency_ms_p50_p95"]["server_syntax"] = timed(
                [partial(client.detect_syntax, Text=t, LanguageCode="en") for t in sample]
            )
            results["latency_ms_p50_p95"]["server_entities"] = timed(
                [partial(client.detect_entities, Text=t, LanguageCode="en") for t in sample]
            )
        finally:
            server.stop()
    results["latency_sample"] = {"sentences": len(sample), "threads": args.threads}
    return results


if __name__ == "__main__":
    main()
