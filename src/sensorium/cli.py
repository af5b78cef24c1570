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

    models = commands.add_parser("models", help="model weights: list them, fetch the missing")
    actions = models.add_subparsers(dest="action", required=True)
    fetch = actions.add_parser("fetch", help="fetch every missing weight the services need")
    listing = actions.add_parser("list", help="every weight the services need, and where")
    for action, run in ((fetch, _models_fetch), (listing, _models_list)):
        action.add_argument("--models-dir", type=Path, help="default: the per-user cache")
        action.add_argument("--services", help="comma-separated (default: every service)")
        action.set_defaults(run=run)

    workers = commands.add_parser(
        "workers", help="the durable-job workers on the Ray cluster (SENSORIUM_RAY_ADDRESS)"
    )
    workers.add_argument("action", nargs="?", choices=("status", "start", "stop"), default="status")
    workers.set_defaults(run=_workers)

    from sensorium.services.rekognition.cli import add_commands as add_face_commands

    add_face_commands(commands)
    from sensorium.services.rekognition.text_cli import add_commands as add_image_commands

    add_image_commands(commands)
    from sensorium.services.rekognition.video.cli import add_commands as add_video_commands

    add_video_commands(commands)
    _add_speak(commands)
    _add_transcribe(commands)
    _add_text(commands)
    _add_forecast(commands)
    from sensorium.services.sagemaker.cli import add_commands as add_sound_commands

    add_sound_commands(commands)

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

    train = commands.add_parser("train", help="train a model (sentiment, syntax, entities)")
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
    from rich.console import Console

    from sensorium.admission import limit_arenas

    limit_arenas()  # before any worker thread makes an arena of its own

    from sensorium import services
    from sensorium.auth import credentials as creds
    from sensorium.config import Settings
    from sensorium.models.fetch import fetch_missing
    from sensorium.server import access_log
    from sensorium.server.app import create_app

    settings = Settings().with_overrides(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        log_level=args.log_level,
        **{"s3.endpoint": args.s3_endpoint},
    )
    access_log.configure(settings.log_level)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    credentials = creds.load(settings.data_dir, settings.credentials)
    if not _is_loopback(settings.host) and not credentials.explicit:
        raise ConfigurationError(
            f"refusing to bind {settings.host}: a non-loopback address needs credentials you "
            f"chose (set {creds.ENV_VAR}, or write {settings.data_dir / creds.CONFIG_FILE})"
        )
    fetch_missing(settings, services.enabled(settings.services), Console(stderr=True))
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


def _workers(args: argparse.Namespace) -> int:
    from sensorium.config import Settings
    from sensorium.server import access_log

    settings = Settings()
    if not settings.ray.address:
        raise ConfigurationError("set SENSORIUM_RAY_ADDRESS to the Ray cluster's address")
    try:
        from sensorium.jobs import ray_workers
    except ImportError:  # ray is not installed
        return int(_missing_extra("cluster")(args))
    access_log.configure("warning")
    return ray_workers.command(settings, args.action)


def _model_settings(args: argparse.Namespace) -> tuple[Any, list[str]]:
    from sensorium import services
    from sensorium.config import Settings

    settings = Settings().with_overrides(**{"models.dir": args.models_dir})
    return settings, services.enabled(args.services or settings.services)


def _models_fetch(args: argparse.Namespace) -> int:
    from rich.console import Console

    from sensorium.models.fetch import fetch_missing

    settings, enabled = _model_settings(args)
    fetch_missing(settings, enabled, Console(stderr=True))
    print(f"every weight {', '.join(enabled)} need is in place ({settings.models.dir})")
    return 0


def _models_list(args: argparse.Namespace) -> int:
    from sensorium.models.fetch import report

    settings, enabled = _model_settings(args)
    missing = 0
    for item, present in report(settings, enabled):
        missing += not present
        state = "ready" if present else f"missing ({item.weights.fix})"
        print(f"{item.service:12} {item.weights.name:28} {state}")
    print(f"models directory: {settings.models.dir}")
    return 1 if missing else 0


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
