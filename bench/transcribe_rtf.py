"""Transcribe speed and accuracy: our server against bare faster-whisper and pocketsphinx.

All three run in the same process run on the shared clips (``../shared/data/speech``):

* sensorium: StartTranscriptionJob through boto3 on a live server, timed from the request
  to the job seen COMPLETED (polled every ``--poll`` s, default 50 ms): decode, VAD,
  Whisper, result JSON, HTTP;
* bare faster-whisper: ``WhisperModel.transcribe`` in-process on the same model folder with
  the same options (int8, beam 5, VAD, word timestamps), its own PyAV decoding included;
* pocketsphinx (if installed): the classic offline recogniser with its bundled en-US model.

Each clip runs ``--repeats`` times per engine and the fastest run counts (a shared machine
is noisy). A "long" row transcribes all clips joined into one file. WER is computed with
numbers normalised on both sides. Usage: ``python -m bench.transcribe_rtf [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import tempfile
import time
import urllib.request
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sensorium.models.stt import SAMPLE_RATE, decode_audio, default_model_dir
from sensorium.models.stt.wer import word_errors

SPEECH = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "speech"


def clips() -> list[tuple[str, bytes, str]]:
    with (SPEECH / "manifest.tsv").open(newline="") as rows:
        return [
            (row["path"], (SPEECH / row["path"]).read_bytes(), row["reference_text"])
            for row in csv.DictReader(rows, delimiter="\t")
            if row["reference_text"].strip()
        ]


def joined(items: list[tuple[str, bytes, str]]) -> tuple[str, bytes, str]:
    """All clips in one WAV, half a second of silence between them."""
    gap = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)
    parts = [part for _, data, _ in items for part in (decode_audio(data).samples, gap)]
    pcm = (np.clip(np.concatenate(parts), -1, 1) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())
    return "long (all clips)", buffer.getvalue(), " ".join(ref for _, _, ref in items)


def bare_whisper() -> Callable[[bytes], str]:
    from faster_whisper import WhisperModel, decode_audio  # type: ignore[import-untyped]

    model = WhisperModel(
        str(default_model_dir()),
        device="cpu",
        compute_type="int8",
        cpu_threads=min(4, os.cpu_count() or 1),
        local_files_only=True,
    )

    def run(data: bytes) -> str:
        segments, _ = model.transcribe(
            decode_audio(io.BytesIO(data)),
            language="en",
            beam_size=5,
            word_timestamps=True,
            vad_filter=True,
            condition_on_previous_text=False,
        )
        return "".join(segment.text for segment in segments).strip()

    return run


def pocketsphinx() -> Callable[[bytes], str] | None:
    try:
        from pocketsphinx import Decoder  # type: ignore[import-not-found]
    except ImportError:
        return None
    decoder = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")

    def run(data: bytes) -> str:
        pcm = (np.clip(decode_audio(data).samples, -1, 1) * 32767).astype("<i2").tobytes()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        return str(hypothesis.hypstr) if hypothesis else ""

    return run


def sensorium(server: Any, poll: float) -> Callable[[bytes], str]:
    client = server.client("transcribe")
    bucket = server.data_dir / "s3" / "bench"
    bucket.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1_000_000))

    def run(data: bytes) -> str:
        number = next(counter)
        (bucket / f"clip-{number}.wav").write_bytes(data)
        name = f"bench-{os.getpid()}-{number}"
        client.start_transcription_job(
            TranscriptionJobName=name,
            Media={"MediaFileUri": f"s3://bench/clip-{number}.wav"},
            LanguageCode="en-US",
        )
        while True:
            job = client.get_transcription_job(TranscriptionJobName=name)["TranscriptionJob"]
            if job["TranscriptionJobStatus"] in ("COMPLETED", "FAILED"):
                break
            time.sleep(poll)
        if job["TranscriptionJobStatus"] == "FAILED":
            raise RuntimeError(job["FailureReason"])
        # A presigned URL to the server's S3, as AWS gives it: plain HTTP downloads it.
        with urllib.request.urlopen(job["Transcript"]["TranscriptFileUri"]) as response:
            document = json.loads(response.read())
        return str(document["results"]["transcripts"][0]["transcript"])

    return run


def measure(
    engines: dict[str, Callable[[bytes], str]],
    group: list[tuple[str, bytes, str]],
    repeats: int,
) -> dict[str, tuple[float, float]]:
    """Per engine: (seconds, WER) over the group, the fastest of ``repeats`` runs per clip.

    Engines take turns clip by clip, so that load from other processes on a shared machine
    falls on all of them alike.
    """
    best: dict[tuple[str, int], float] = {}
    texts: dict[tuple[str, int], str] = {}
    for _ in range(repeats):
        for index, (_, data, _) in enumerate(group):
            for name, run in engines.items():
                started = time.perf_counter()
                texts[name, index] = run(data)
                elapsed = time.perf_counter() - started
                best[name, index] = min(best.get((name, index), elapsed), elapsed)
    results = {}
    for name in engines:
        errors = words = 0
        for index, (_, _, reference) in enumerate(group):
            clip_errors, clip_words = word_errors(reference, texts[name, index])
            errors, words = errors + clip_errors, words + clip_words
        seconds = sum(best[name, index] for index in range(len(group)))
        results[name] = (seconds, errors / words)
    return results


def main() -> None:
    from tests.conftest import LiveServer

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--poll", type=float, default=0.05, help="GetTranscriptionJob interval")
    parser.add_argument("--only-joined", action="store_true", help="skip the clip-by-clip set")
    args = parser.parse_args()
    items = clips()
    server = LiveServer(Path(tempfile.mkdtemp()) / "data").start().wait_ready()
    try:
        engines: dict[str, Callable[[bytes], str]] = {
            "sensorium (boto3 job)": sensorium(server, args.poll),
            "bare faster-whisper": bare_whisper(),
        }
        sphinx = pocketsphinx()
        if sphinx is not None:
            engines["pocketsphinx 5 (en-us)"] = sphinx
        for run in engines.values():
            run(items[0][1])  # warm up: model load, first-call allocations
        print("| set | engine | audio s | time s | RTF | overhead vs bare | WER |")
        print("|---|---|---|---|---|---|---|")
        sets: list[tuple[str, list[tuple[str, bytes, str]] | None]] = [("all clips joined", None)]
        if not args.only_joined:
            sets.insert(0, ("7 clips, one by one", items))
        for label, subset in sets:
            group = subset if subset is not None else [joined(items)]
            audio = sum(decode_audio(data).duration for _, data, _ in group)
            results = measure(engines, group, args.repeats)
            bare = results["bare faster-whisper"][0]
            for name, (seconds, wer) in results.items():
                overhead = (
                    f"{seconds / bare - 1:+.1%}"
                    if "whisper" in name or "sensorium" in name
                    else "-"
                )
                print(
                    f"| {label} | {name} | {audio:.1f} | {seconds:.2f} | "
                    f"{seconds / audio:.3f} | {overhead} | {wer:.1%} |"
                )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
