"""The analysis jobs' operations: Start, Describe, List and Stop of each job type, all
served by ``AnalysisJobs`` with the type as their second argument."""

from __future__ import annotations

from collections.abc import Callable

from sensorium.context import RequestContext
from sensorium.operations import Handler, OperationRegistry, Params
from sensorium.services.comprehend.analysis_jobs.jobtypes import TYPES, AnalysisType
from sensorium.services.comprehend.analysis_jobs.service import AnalysisJobs

SERVICE = "comprehend"
Method = Callable[[RequestContext, AnalysisType, Params], Params]


def register(registry: OperationRegistry, jobs: AnalysisJobs) -> None:
    methods: dict[str, Method] = {
        "start": jobs.start,
        "describe": jobs.describe,
        "list": jobs.list_jobs,
        "stop": jobs.stop,
    }
    for kind in TYPES.values():
        for action, operation in kind.operations.items():
            registry.add(SERVICE, operation, _serving(methods[action], kind))


def _serving(method: Method, kind: AnalysisType) -> Handler:
    def handler(ctx: RequestContext, params: Params) -> Params:
        return method(ctx, kind, params)

    return handler
