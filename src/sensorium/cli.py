"""The ``sensorium`` command."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from pathlib import Path
from typing import Any

from sensorium import __version__, offline
from sensorium.errors import ConfigurationError


def main(argv: list[str] | None = None) -> int:
    offline.enforce()
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        result: int = args.run(args)
    except ConfigurationError as error:
        print(f"sensorium: {error}", file=sys.stderr)
        return 2
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sensorium", description=__doc__)
    commands = parser.add_subparsers(dest="command")

    serve = commands.add_parser("serve", help="run the server (AWS wire APIs)")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 7367)")
    serve.add_argument("--data-dir", type=Path, help="state, models and local buckets")
    serve.add_argument("--s3-endpoint", help="S3-compatible service for s3:// URIs")
    serve.add_argument("--log-level", help="debug, info, warning, error")
    serve.set_defaults(run=_serve)

    version = commands.add_parser("version", help="print the version")
    version.set_defaults(run=_version)

    from sensorium.services.rekognition.cli import add_commands as add_face_commands

    add_face_commands(commands)
    _add_speak(commands)
    _add_transcribe(commands)
    _add_text(commands)
    _add_forecast(commands)

    from sensorium.services.lex.cli import add_commands as add_bot_commands

    add_bot_commands(commands)
    return parser


def _add_forecast(commands: Any) -> None:
    from sensorium.services.forecast.cli import add_arguments, forecast_command

    forecast = commands.add_parser("forecast", help="forecast a CSV of time series offline")
    add_arguments(forecast)  # FILE, --horizon, --frequency, --algorithm, --plot
    forecast.set_defaults(run=forecast_command)


def _add_text(commands: Any) -> None:
    from sensorium.training.commands import (
        add_sentiment_arguments,
        add_train_arguments,
        sentiment_command,
        train_command,
    )

    train = commands.add_parser("train", help="train a model from data (sentiment)")
    add_train_arguments(train)
    train.set_defaults(run=train_command)
    sentiment = commands.add_parser("sentiment", help="what DetectSentiment answers for a text")
    add_sentiment_arguments(sentiment)
    sentiment.set_defaults(run=sentiment_command)


def _add_transcribe(commands: Any) -> None:
    from sensorium.services.transcribe.cli import add_arguments, transcribe_command

    transcribe = commands.add_parser("transcribe", help="transcribe an audio file offline")
    add_arguments(transcribe)  # FILE, --json, --language, --phrase (repeatable)
    transcribe.set_defaults(run=transcribe_command)


def _add_speak(commands: Any) -> None:
    speak = commands.add_parser("speak", help="synthesise speech to a file (Polly voices)")
    try:
        from sensorium.services.polly.cli import add_arguments, speak_command
    except ImportError:  # the GPL `tts` extra is not installed
        speak.set_defaults(run=_missing_extra("tts"))
        return
    add_arguments(speak)
    speak.set_defaults(run=speak_command)


def _missing_extra(extra: str) -> Any:
    def run(_: argparse.Namespace) -> int:
        print(f"sensorium: install the `{extra}` extra: pip install 'sensorium[{extra}]'")
        return 2

    return run


def _version(_: argparse.Namespace) -> int:
    print(f"sensorium {__version__}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sensorium.auth import credentials as creds
    from sensorium.config import Settings
    from sensorium.server import access_log
    from sensorium.server.app import create_app

    overrides = {
        "host": args.host,
        "port": args.port,
        "data_dir": args.data_dir,
        "s3_endpoint": args.s3_endpoint,
        "log_level": args.log_level,
    }
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    access_log.configure(settings.log_level)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    credentials = creds.load(settings.data_dir)
    if not _is_loopback(settings.host) and not credentials.explicit:
        raise ConfigurationError(
            f"refusing to bind {settings.host}: a non-loopback address needs credentials you "
            f"chose (set {creds.ENV_VAR}, or write {settings.data_dir / creds.CONFIG_FILE})"
        )
    app = create_app(settings, credentials)
    _banner(settings, credentials)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        log_config=None,
    )
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _banner(settings: object, credentials: object) -> None:
    from sensorium.auth.credentials import CredentialSet
    from sensorium.config import Settings

    assert isinstance(settings, Settings) and isinstance(credentials, CredentialSet)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    lines = [
        f"Sensorium {__version__} serving the AWS APIs at http://{host}:{settings.port}",
        f"  data directory: {settings.data_dir}",
        f"  credentials from {credentials.source}",
    ]
    if not credentials.explicit:
        key = next(iter(credentials.keys.values()))
        lines += [
            "  use them with boto3 or the AWS CLI:",
            f"    AWS_ACCESS_KEY_ID={key.access_key_id}",
            f"    AWS_SECRET_ACCESS_KEY={key.secret_access_key}",
        ]
    else:
        lines.append(f"  access keys: {', '.join(sorted(credentials.keys))}")
    print("\n".join(lines), file=sys.stderr, flush=True)
