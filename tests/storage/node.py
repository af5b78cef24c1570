"""One API node's start-up against the store of record, for the concurrency tests:
``python -m tests.storage.node DB_URL GO_FILE``. It waits for GO_FILE (so that every node
starts at once), migrates, takes the pagination key and prints it in hex."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sensorium.server.app import PAGINATION_KEY
from sensorium.storage.database import Database
from sensorium.storage.secrets import server_key


def main() -> None:
    url, go = sys.argv[1], Path(sys.argv[2])
    database = Database(url)
    while not go.exists():
        time.sleep(0.005)
    database.migrate()
    print(server_key(database, PAGINATION_KEY).hex(), flush=True)
    database.dispose()


if __name__ == "__main__":
    main()
