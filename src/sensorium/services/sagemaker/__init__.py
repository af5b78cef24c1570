"""Amazon SageMaker (training jobs, models, endpoint configs, endpoints) and SageMaker
Runtime (InvokeEndpoint), with built-in sound algorithms chosen by TrainingImage:
``sensorium/sound-classification:1`` and ``sensorium/sound-anomaly-detection:1``.

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


def requires(settings: Settings) -> list[Weights]:
    return []  # the algorithms train their networks from the caller's data


def install(components: Components) -> SageMakerService:
    from sensorium.models.registry import best_device
    from sensorium.services.sagemaker import handlers, hosting, training
    from sensorium.services.sagemaker.errors import ERRORS, RUNTIME_ERRORS
    from sensorium.services.sagemaker.service import SageMakerService

    components.operations.declare(("sagemaker",), ERRORS)
    components.operations.declare(("sagemaker-runtime",), RUNTIME_ERRORS)
    components.operations.gate("sagemaker-runtime", GATE, "InvokeEndpoint")
    loaded = hosting.LoadedModels(components.blobs)
    components.jobs.register(
        training.TrainingKind(
            components.database, components.blobs, lambda: best_device() == "cuda"
        )
    )
    components.jobs.register(hosting.EndpointKind(components.database, loaded))
    service = SageMakerService(components.database, components.jobs, components.paginator(ERRORS))
    handlers.register(components.operations, service, hosting.Invoker(components.database, loaded))
    return service
