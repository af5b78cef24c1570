"""SageMaker and SageMaker Runtime operations: modelled input dict in, output dict out."""

from __future__ import annotations

from sensorium.context import RequestContext
from sensorium.operations import Handler, OperationRegistry, Params
from sensorium.services.sagemaker.hosting import Invoker
from sensorium.services.sagemaker.resources import KINDS
from sensorium.services.sagemaker.service import VIEWS, SageMakerService, View

SERVICE = "sagemaker"
RUNTIME = "sagemaker-runtime"


def register(registry: OperationRegistry, service: SageMakerService, invoker: Invoker) -> None:
    for kind, (view, summary, key) in VIEWS.items():
        noun = KINDS[kind].noun
        registry.add(SERVICE, f"Describe{noun}", _describing(service, kind, noun, view))
        registry.add(SERVICE, f"List{noun}s", _listing(service, kind, key, summary))
    registry.add(SERVICE, "CreateTrainingJob", service.create_training_job)
    registry.add(SERVICE, "CreateModel", service.create_model)
    registry.add(SERVICE, "CreateEndpointConfig", service.create_endpoint_config)
    registry.add(SERVICE, "CreateEndpoint", service.create_endpoint)
    registry.add(SERVICE, "UpdateEndpoint", service.update_endpoint)
    registry.bind(
        SERVICE,
        {
            "StopTrainingJob": "TrainingJobName",
            "DeleteModel": "ModelName",
            "DeleteEndpointConfig": "EndpointConfigName",
            "DeleteEndpoint": "EndpointName",
        },
        service,
    )
    registry.add(RUNTIME, "InvokeEndpoint", invoker.invoke)


def _describing(service: SageMakerService, kind: str, noun: str, view: View) -> Handler:
    def describe(ctx: RequestContext, params: Params) -> Params:
        return service.describe(ctx, kind, params[f"{noun}Name"], view)

    return describe


def _listing(service: SageMakerService, kind: str, key: str, view: View) -> Handler:
    def list_all(ctx: RequestContext, params: Params) -> Params:
        return service.list(ctx, kind, params, key, view)

    return list_all
