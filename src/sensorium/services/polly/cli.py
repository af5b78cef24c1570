"""``sensorium speak "text" -o out.mp3 [--voice V] [--ssml]``: Polly's synthesis in-process."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FORMATS = {".mp3": "mp3", ".ogg": "ogg_vorbis", ".pcm": "pcm", ".raw": "pcm", ".json": "json"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", help="what to say ('-' reads standard input)")
    parser.add_argument("-o", "--output", type=Path, required=True, help=".mp3 .ogg .pcm .json")
    parser.add_argument("--voice", default="Joanna", help="a Polly VoiceId (default Joanna)")
    parser.add_argument("--ssml", action="store_true", help="the text is SSML")
    parser.add_argument("--sample-rate", help="as Polly allows for the format")


def speak_command(args: argparse.Namespace) -> int:
    from sensorium.config import Settings
    from sensorium.context import RequestContext
    from sensorium.errors import ModelUnavailable, ServiceError
    from sensorium.models.registry import ModelRegistry
    from sensorium.services.polly import voice_catalog
    from sensorium.services.polly.synthesis import Synthesizer

    output_format = FORMATS.get(args.output.suffix.lower())
    if output_format is None:
        print(f"sensorium speak: unknown extension {args.output.suffix!r}", file=sys.stderr)
        return 2
    text = sys.stdin.read() if args.text == "-" else args.text
    params: dict[str, object] = {
        "Text": text,
        "TextType": "ssml" if args.ssml else "text",
        "VoiceId": args.voice,
        "OutputFormat": output_format,
    }
    if args.sample_rate:
        params["SampleRate"] = args.sample_rate
    if output_format == "json":
        params["SpeechMarkTypes"] = ["sentence", "word"] + (["ssml"] if args.ssml else [])
    models = ModelRegistry()
    synthesizer = Synthesizer(models, voice_catalog(Settings(), models), None)
    try:
        prepared = synthesizer.prepare(RequestContext("cli", "000000000000", "local"), params)
        with args.output.open("wb") as out:
            for chunk in synthesizer.stream(prepared):
                out.write(chunk)
    except (ServiceError, ModelUnavailable) as error:
        print(f"sensorium speak: {error}", file=sys.stderr)
        return 1
    return 0
