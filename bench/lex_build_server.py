"""Lex build time through the server: a 150-intent bot created with ``lexv2-models`` calls
(boto3) and built with BuildBotLocale, timed from the call to ``Built``; against the
in-process NLU training of ``bench/lex_build.py``'s 150-intent bot (the same intents, with
the encoder loaded fresh) in the same run.

The bot: 75 of Banking77's intents (their first 100 train utterances, no slots) and 75
slices of 100 SNIPS train_full utterances, each SNIPS entity a slot of a custom slot type
holding the values the utterances use (``OriginalValue`` resolution), written as ``{slot}``
references as a bot author writes them. The server expands the references with the slot
types' values, so its utterances are not exactly the in-process bot's; the comparison is of
the same size of bot, not of identical examples.

    nice .venv/bin/python -m bench.lex_build_server [--intents 150]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.lex_build import DATA, PER_INTENT, banking_intents, bot, snips_intents
from sensorium.models.nlu.encoder import UtteranceEncoder
from sensorium.models.nlu.pipeline import NluPipeline
from sensorium.services.lex.cli import create
from tests.conftest import LiveServer

MAX_VALUES = 200  # slot type values kept per entity


def banking_definitions(count: int) -> list[dict[str, Any]]:
    import csv

    by_intent: dict[str, list[str]] = {}
    with (DATA / "banking77" / "banking_data" / "train.csv").open() as f:
        for row in csv.DictReader(f):
            by_intent.setdefault(row["category"], []).append(row["text"])
    intents = []
    for name, texts in sorted(by_intent.items())[:count]:
        utterances = sorted({clean(text) for text in texts[:PER_INTENT]} - {""})
        intents.append({"name": re.sub(r"[^0-9A-Za-z]", "", name), "utterances": utterances})
    return intents


def clean(text: str) -> str:
    """A sample utterance Lex accepts: no braces or control characters, one line."""
    return re.sub(r"\s+", " ", re.sub(r"[{}\x00-\x1f]", " ", text)).strip()[:200]


def snips_definitions(count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(intents, slot types) of ``count`` SNIPS slices, round-robin over SNIPS' intents."""
    values: dict[str, set[str]] = {}
    slices: list[list[dict[str, Any]]] = []
    engines = DATA / "snips" / "2017-06-custom-intent-engines"
    for folder in sorted(p for p in engines.iterdir() if p.is_dir()):
        items = json.loads(
            (folder / f"train_{folder.name}_full.json").read_text(encoding="latin-1")
        )[folder.name]
        chunks = []
        for start in range(0, len(items) - PER_INTENT + 1, PER_INTENT):
            utterances, slots = set(), set()
            for item in items[start : start + PER_INTENT]:
                parts = []
                for part in item["data"]:
                    entity = part.get("entity")
                    if entity:
                        slot = re.sub(r"[^0-9A-Za-z]", "", entity)
                        slots.add(slot)
                        values.setdefault(slot, set()).add(clean(part["text"]).lower())
                        parts.append(f"{{{slot}}}")
                    else:
                        parts.append(clean(part["text"]))
                utterance = clean(" ".join(parts))
                if utterance:
                    utterances.add(utterance)
            name = f"{folder.name}{start // PER_INTENT}"
            slot_list = [{"name": s, "type": f"T{s}", "required": False} for s in sorted(slots)]
            chunks.append({"name": name, "utterances": sorted(utterances), "slots": slot_list})
        slices.append(chunks)
    ordered: list[dict[str, Any]] = []
    for round_ in range(max(len(s) for s in slices)):
        ordered.extend(s[round_] for s in slices if round_ < len(s))
    ordered = ordered[:count]
    used = {slot["name"] for intent in ordered for slot in intent["slots"]}
    types = [
        {
            "name": f"T{slot}",
            "resolution": "OriginalValue",
            "values": [{"value": v} for v in sorted(values[slot] - {""})[:MAX_VALUES]],
        }
        for slot in sorted(used)
    ]
    return ordered, types


def in_process_seconds(size: int) -> float:
    """Encoding and training of bench/lex_build.py's bot of ``size`` intents, in this
    process (the encoder loaded before the clock starts)."""
    examples = bot(size, banking_intents(), snips_intents())
    encoder = UtteranceEncoder()
    encoder.load("cpu")
    started = time.perf_counter()
    NluPipeline.train(examples, encoder, seed=0)
    return time.perf_counter() - started


def server_seconds(size: int) -> tuple[float, int, dict[str, Any]]:
    """(seconds from BuildBotLocale to Built, sample utterances, the locale's description)."""
    banking = banking_definitions(size // 2)
    snips, types = snips_definitions(size - len(banking))
    definition = {"name": "BuildBench", "slotTypes": types, "intents": banking + snips}
    utterances = sum(len(intent["utterances"]) for intent in definition["intents"])
    with tempfile.TemporaryDirectory() as folder:
        server = LiveServer(Path(folder) / "data", env={"SENSORIUM_SERVICES": "lex"}).start()
        try:
            lex = server.client("lexv2-models")
            bot_id, locale = create(lex, definition)
            where = {"botId": bot_id, "botVersion": "DRAFT", "localeId": locale}
            started = time.perf_counter()
            lex.build_bot_locale(**where)
            while True:
                described = lex.describe_bot_locale(**where)
                if described["botLocaleStatus"] in ("Built", "Failed", "NotBuilt"):
                    break
                time.sleep(0.5)
            seconds = time.perf_counter() - started
        finally:
            server.stop()
    return seconds, utterances, described


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--intents", type=int, default=150)
    args = parser.parse_args()
    seconds, utterances, described = server_seconds(args.intents)
    status = described["botLocaleStatus"]
    reasons = described.get("failureReasons", "")
    print(f"through the server: {args.intents} intents, {utterances:,} sample utterances, "
          f"{status} in {seconds:.1f} s {reasons}", flush=True)  # fmt: skip
    local = in_process_seconds(args.intents)
    print(f"in process (bench/lex_build.py's bot, encoding + training): {local:.1f} s; "
          f"server / in process: {seconds / local:.2f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
