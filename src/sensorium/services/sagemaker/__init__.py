"""Amazon SageMaker (training jobs, models, endpoint configs, endpoints) and SageMaker
Runtime (InvokeEndpoint), with built-in sound algorithms chosen by TrainingImage:
``sensorium/sound-classification:1`` and ``sensorium/sound-anomaly-detection:1``, or the
caller's own PyTorch script (script mode, ``script``), for the accounts the operator allows.

Training runs on the job system (``sagemaker.training``, accelerated: ``ml.g*``/``ml.p*``
instance types train on the GPU when this machine has one); endpoints load their models in a
``sagemaker.endpoint`` job and serve them on the CPU.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sensorium.components import Components
from sensorium.config import Settings
from sensorium.models.weights import Weights

if TYPE_CHECKING:
    from sensorium.services.sagemaker.service import SageMakerService

SERVICES = ("sagemaker", "sagemaker-runtime")
GATE = "sagemaker-endpoints"
# Script-mode jobs' working folders (the container's /opt/ml), removed when each job ends.
SCRIPT_WORK = "sagemaker-scripts"


def requires(settings: Settings) -> list[Weights]:
    return []  # the algorithms train their networks from the caller's data


def install(components: Components) -> SageMakerService:
    from sensorium.models.registry import best_device
    from sensorium.services.sagemaker import handlers, hosting, training, work_folders
    from sensorium.services.sagemaker.errors import ERRORS, RUNTIME_ERRORS
    from sensorium.services.sagemaker.script import ScriptAccess
    from sensorium.services.sagemaker.script_run import ScriptRunner
    from sensorium.services.sagemaker.service import SageMakerService

    components.operations.declare(("sagemaker",), ERRORS)
    components.operations.declare(("sagemaker-runtime",), RUNTIME_ERRORS)
    components.operations.gate("sagemaker-runtime", GATE, "InvokeEndpoint")
    access = ScriptAccess(components.settings.sagemaker.script_accounts)
    work_folders.sweep(components.settings.data_dir / SCRIPT_WORK)
    loaded = hosting.LoadedModels(
        components.blobs, access, components.settings.data_dir / SCRIPT_WORK
    )
    scripts = ScriptRunner(components.blobs, access, components.settings.data_dir / SCRIPT_WORK)
    components.jobs.register(
        training.TrainingKind(
            components.database, components.blobs, lambda: best_device() == "cuda", scripts
        )
    )
    components.jobs.register(hosting.EndpointKind(components.database, loaded))
    service = SageMakerService(
        components.database, components.jobs, components.paginator(ERRORS), access, loaded
    )
    handlers.register(components.operations, service, hosting.Invoker(components.database, loaded))
    return service
