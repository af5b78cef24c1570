"""``sensorium transcribe FILE [--json]`` (the command function, wired into sensorium.cli)."""

from __future__ import annotations

import argparse
import json

import pytest

from sensorium.models.stt.wer import word_error_rate
from sensorium.services.transcribe.cli import add_arguments, transcribe_command
from tests.conftest import shared_data


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return transcribe_command(parser.parse_args(list(argv)))


def test_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    clip = str(shared_data("speech", "misc", "goforward.wav"))
    assert run(clip) == 0
    assert word_error_rate("go forward ten meters", capsys.readouterr().out) == 0
    assert run(clip, "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["results"]["items"][0]["type"] == "pronunciation"


def test_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(shared_data("speech", "misc", "null.wav"))) == 1
    assert "no audio samples" in capsys.readouterr().err
    assert run("/no/such/file.wav") == 1
    assert run(str(shared_data("speech", "misc", "goforward.wav")), "--language", "fr-FR") == 2
