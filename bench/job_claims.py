"""How fast one PostgreSQL hands out jobs: claims (and settlements) per second with 1 to 16
worker processes claiming at once, and what an idle poll costs, also with a long history of
finished jobs in the table. For sizing a cluster's job workers (docs/deployment.md).

Each job is empty, so this is the job table's own ceiling: a claim is one transaction
(``FOR UPDATE SKIP LOCKED``), a settlement another. The database and the workers share this
machine's cores, so on separate machines the numbers are lower bounds.

    python bench/job_claims.py [--jobs 3000] [--processes 1,4,16] [--history 1000000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from sensorium.context import Scope  # noqa: E402
from sensorium.jobs import JobKind, JobSystem, RetryPolicy, RunningJob  # noqa: E402
from sensorium.jobs.queue import JobQueue, Lease, owner_id  # noqa: E402
from sensorium.storage.database import Database  # noqa: E402
from sensorium.storage.owned import UNSCOPED  # noqa: E402
from tests import postgres  # noqa: E402

KIND = "bench.empty"
SCOPE = Scope("123456789012", "us-east-1")


class Empty(JobKind[None]):
    name = KIND

    def run(self, job: RunningJob) -> None:
        return None


def drain(url: str, at: float) -> int:
    """Claim and settle until the queue is empty; how many this process did."""
    database = Database(url, pool_size=1)
    queue = JobQueue(database, RetryPolicy(), lease_seconds=30)
    kinds = {KIND: Empty()}
    owner = owner_id("bench", str(os.getpid()))
    time.sleep(max(0.0, at - time.time()))  # every process connected: all start at once
    done = 0
    while (row := queue.claim(owner, kinds)) is not None:
        queue.finish(Lease(owner, row.id, row.attempts), kinds[KIND], outcome=None)
        done += 1
    database.dispose()
    return done


def fill(database: Database, count: int) -> None:
    jobs = JobSystem(database)
    jobs.register(Empty())
    with database.transaction(UNSCOPED) as session:
        for number in range(count):
            jobs.submit(session, KIND, SCOPE, str(number))


def claim_ms(database: Database, expect: bool, polls: int = 200) -> float:
    queue = JobQueue(database, RetryPolicy(), lease_seconds=30)
    kinds = {KIND: Empty()}
    began = time.perf_counter()
    for _ in range(polls):
        assert (queue.claim("bench:0:poll", kinds) is not None) == expect
    return (time.perf_counter() - began) / polls * 1000


def history(database: Database, finished: int, queued: int) -> None:
    """``finished`` settled jobs, then ``queued`` waiting ones, in one statement each."""
    rows = (
        "INSERT INTO jobs (kind, account_id, region, resource, payload, state, attempts, "
        "max_attempts, not_before, cancel_requested, created_at, updated_at) "
        f"SELECT '{KIND}', '{SCOPE.account_id}', '{SCOPE.region}', g::text, '{{}}', :state, 1, "
        "2, now(), false, now(), now() FROM generate_series(1, :count) AS g"
    )
    with database.engine.begin() as connection:
        connection.execute(text(rows), {"state": "SUCCEEDED", "count": finished})
        connection.execute(text(rows), {"state": "QUEUED", "count": queued})
        connection.execute(text("ANALYZE jobs"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=3000)
    parser.add_argument("--processes", default="1,4,16")
    parser.add_argument("--history", type=int, default=1_000_000, help="finished jobs")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        cluster = postgres.cluster(Path(folder) / "pg")
        try:
            for count in (int(p) for p in args.processes.split(",")):
                url = cluster.database(f"claims-{count}")
                database = Database(url)
                database.migrate()
                fill(database, args.jobs)
                at = time.time() + 3.0 + 0.5 * count
                with multiprocessing.get_context("spawn").Pool(count) as pool:
                    results = pool.starmap_async(drain, [(url, at)] * count)
                    done = sum(results.get())
                    seconds = time.time() - at
                assert done == args.jobs
                print(
                    f"{count:3d} worker processes: {done / seconds:7.0f} jobs claimed and "
                    f"settled a second"
                )
                print(f"    an idle poll (nothing due): {claim_ms(database, False):.2f} ms")
                database.dispose()
            database = Database(cluster.database("history"))
            database.migrate()
            history(database, args.history, queued=200)
            print(f"with {args.history:,} finished jobs in the table:")
            print(f"    a claim: {claim_ms(database, True):.2f} ms")
            print(f"    an idle poll: {claim_ms(database, False):.2f} ms")
            database.dispose()
        finally:
            postgres.stop()


if __name__ == "__main__":
    main()
