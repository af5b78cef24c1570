"""One durable job system for every service: persisted jobs with states, attempts, leases,
progress and failure reasons; claimed safely by any number of worker processes.

A service declares a ``JobKind`` per kind of work, registers it with ``JobSystem.register``
and enqueues with ``JobSystem.submit`` inside the transaction that creates its resource.
"""

from sensorium.jobs.kinds import JobCancelled, JobFailed, JobKind, RunningJob
from sensorium.jobs.policy import RetryPolicy
from sensorium.jobs.system import JobSystem
from sensorium.jobs.tables import FINISHED, JobRow, JobState

__all__ = [
    "FINISHED",
    "JobCancelled",
    "JobFailed",
    "JobKind",
    "JobRow",
    "JobState",
    "JobSystem",
    "RetryPolicy",
    "RunningJob",
]
