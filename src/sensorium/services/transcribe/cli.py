"""``sensorium transcribe FILE [--json]``: the job pipeline in-process, without a server."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sensorium.models.registry import best_device


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="audio file (wav, mp3, flac, ogg, m4a, webm, amr)")
    parser.add_argument(
        "--json", action="store_true", help="print the result in Transcribe's JSON format"
    )
    parser.add_argument("--language", default="en-US", help="language code (default en-US)")
    parser.add_argument(
        "--phrase",
        action="append",
        default=[],
        help="a custom vocabulary phrase to favour (repeatable)",
    )


def transcribe_command(args: argparse.Namespace) -> int:
    from sensorium.config import Settings
    from sensorium.models.stt import AudioError, WhisperEngine, decode_audio
    from sensorium.services.transcribe import transcript
    from sensorium.services.transcribe.languages import whisper_code
    from sensorium.services.transcribe.recogniser import model_dir
    from sensorium.services.transcribe.vocabularies import hotwords

    path: Path = args.file
    engine = WhisperEngine(Path(model_dir(Settings())))
    language = whisper_code(args.language)
    if not engine.serves(language):
        print(f"sensorium: no installed speech model serves {args.language}", file=sys.stderr)
        return 2
    try:
        audio = decode_audio(path.read_bytes())
    except OSError as error:
        print(f"sensorium: {path}: {error.strerror or error}", file=sys.stderr)
        return 1
    except AudioError as error:
        print(f"sensorium: {path}: {error}", file=sys.stderr)
        return 1
    engine.load(best_device())
    result = engine.transcribe(audio.samples, language, hotwords(args.phrase) or None)
    if args.json:
        document = transcript.result_document(path.stem, "local", args.language, result)
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(result.text)
    return 0
