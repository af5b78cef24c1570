"""Every error code the server can answer is one AWS declares: in the service's botocore
model, or among AWS's common errors."""

from __future__ import annotations

import importlib
import inspect

import botocore.session
import pytest

from sensorium import services
from sensorium.errors import COMMON_ERRORS, CommonError, ErrorSet, ServiceError


def declared(service: str) -> list[type[ServiceError]]:
    module = importlib.import_module(f"sensorium.services.{service}.errors")
    return [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, ServiceError) and cls.code and cls.__module__ == module.__name__
    ]


@pytest.mark.parametrize("service", services.SERVICES)
def test_each_declared_error_is_in_its_service_models(service: str) -> None:
    session = botocore.session.get_session()
    classes = declared(service)
    assert classes, f"{service} declares no errors"
    for cls in classes:
        if getattr(cls, "unmodelled", False):
            # S3 documents more codes than botocore models: each states its status.
            assert cls.models and cls.status is not None, cls
            continue
        assert cls.models, f"{cls.__name__} names no service model"
        assert cls.__name__ == cls.code
        for model_name in cls.models:
            model = session.get_service_model(model_name)
            assert cls.code in model.shape_names, f"{cls.code} is not in {model_name}'s model"
            assert model.shape_for(cls.code).metadata.get("exception")


@pytest.mark.parametrize("service", services.SERVICES)
def test_the_kits_errors_of_each_service_are_declared(service: str) -> None:
    errors = importlib.import_module(f"sensorium.services.{service}.errors").ERRORS
    assert isinstance(errors, ErrorSet)
    for cls in (errors.invalid, errors.bad_token, errors.unavailable, errors.throttled):
        assert cls in declared(service) or issubclass(cls, CommonError)


def test_common_errors_are_aws_common_or_protocol_errors() -> None:
    def walk(cls: type[ServiceError]) -> list[type[ServiceError]]:
        return [cls, *(sub for child in cls.__subclasses__() for sub in walk(child))]

    codes = {cls.code for cls in walk(CommonError) if cls.code}
    assert codes == COMMON_ERRORS


def test_no_error_can_be_raised_without_a_declared_code() -> None:
    with pytest.raises(TypeError):
        ServiceError("a message with no code")
