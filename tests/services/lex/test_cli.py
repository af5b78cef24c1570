"""``sensorium bots import`` and ``sensorium bots chat`` against a live server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from tests.conftest import ACCESS_KEY, ROOT, SECRET_KEY, LiveServer


def run(server: LiveServer, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    return subprocess.run(
        [sys.executable, "-m", "sensorium", "bots", *args, "--endpoint", server.endpoint],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_import_the_example_and_chat(server: LiveServer, tmp_path: Path) -> None:
    definition = json.loads((ROOT / "examples" / "order-flowers.json").read_text())
    definition["name"] = f"Flowers{uuid.uuid4().hex[:8]}"
    path = tmp_path / "bot.json"
    path.write_text(json.dumps(definition))

    imported = run(server, "import", str(path))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "is built" in imported.stdout + imported.stderr

    chat = run(
        server,
        "chat",
        definition["name"],
        stdin="I would like to order some flowers\nroses\ntomorrow at 5 pm\nyes\n",
    )
    assert chat.returncode == 0, chat.stderr
    assert "ReadyForFulfillment" in chat.stdout
    assert "roses" in chat.stdout
