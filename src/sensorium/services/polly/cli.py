"""``sensorium speak "text" -o out.mp3 [--voice V] [--ssml]``: Polly's synthesis in-process."""

from __future__ import annotations

import argparse
import sys
import tempfile
from functools import partial
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
    from sensorium.errors import ServiceError
    from sensorium.models.registry import ModelRegistry
    from sensorium.models.tts.piper_voice import PiperVoiceModel
    from sensorium.models.tts.voices import discover
    from sensorium.services.polly import voice_folders
    from sensorium.services.polly.catalog import POLLY_VOICES, VoiceCatalog
    from sensorium.services.polly.lexicons import LexiconStore
    from sensorium.services.polly.synthesis import Synthesizer, model_name
    from sensorium.storage.database import Database, sqlite_url

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
    installed = discover(voice_folders(Settings().data_dir))
    for spec in installed:
        models.register(model_name(spec), partial(PiperVoiceModel, spec))
    languages = frozenset(language for language, _ in POLLY_VOICES.values())
    with tempfile.TemporaryDirectory() as scratch:  # lexicons live on the server, not here
        database = Database(sqlite_url(Path(scratch)))
        database.migrate()
        synthesizer = Synthesizer(
            models, VoiceCatalog(installed), LexiconStore(database, languages)
        )
        try:
            prepared = synthesizer.prepare(RequestContext("cli", "000000000000", "local"), params)
            with args.output.open("wb") as out:
                for chunk in synthesizer.stream(prepared):
                    out.write(chunk)
        except ServiceError as error:
            print(f"sensorium speak: {error.code}: {error.message}", file=sys.stderr)
            return 1
        finally:
            database.dispose()
    return 0
