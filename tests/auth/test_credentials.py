from __future__ import annotations

import stat
from pathlib import Path

import pytest

from sensorium.auth import credentials
from sensorium.errors import ConfigurationError


def test_environment_wins_and_is_explicit(tmp_path: Path) -> None:
    found = credentials.load(tmp_path, "AK1:SK1,AK2:SK2:TOKEN")
    assert found.explicit
    assert set(found.keys) == {"AK1", "AK2"}
    assert found.keys["AK2"].session_token == "TOKEN"
    assert not (tmp_path / credentials.GENERATED_FILE).exists()


def test_config_file_is_explicit(tmp_path: Path) -> None:
    (tmp_path / credentials.CONFIG_FILE).write_text("# mine\nAKFILE:SKFILE\n")
    found = credentials.load(tmp_path)
    assert found.explicit
    assert found.keys["AKFILE"].secret_access_key == "SKFILE"


def test_generated_once_with_private_mode(tmp_path: Path) -> None:
    first = credentials.load(tmp_path)
    assert first.generated_now and not first.explicit
    path = tmp_path / credentials.GENERATED_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = credentials.load(tmp_path)
    assert not second.generated_now
    assert second.keys == first.keys


def test_accounts_are_stable_and_distinct() -> None:
    a = credentials.AccessKey("AKA", "x")
    assert a.account_id == credentials.AccessKey("AKA", "y").account_id
    assert a.account_id != credentials.AccessKey("AKB", "x").account_id
    assert len(a.account_id) == 12 and a.account_id.isdigit()


@pytest.mark.parametrize("text", ["justakey", "AK:", ":SK", "A:B:C:D", ""])
def test_malformed(text: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        credentials.parse(text, "test")
