"""The model registry: resolves packaged weights, picks the device, loads each model once.

Every model is an implementation of ``Model`` (load, then predict through its own methods);
the registry loads them lazily and thread-safely, and reports readiness for ``/ready``.
"""

from __future__ import annotations

import abc
import contextlib
import importlib.util
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sensorium.errors import ModelUnavailable

log = logging.getLogger(__name__)

# The face embedder the face operations use; stored with every embedding and reported as
# Rekognition's FaceModelVersion. A collection never mixes versions.
FACE_MODEL_VERSION = "dlib_resnet_v1"


class Model(abc.ABC):
    """A loaded model. Subclasses add their own typed predict methods."""

    name: str

    @abc.abstractmethod
    def load(self, device: str) -> None:
        """Read weights and prepare for inference on ``device`` ("cpu" or "cuda")."""


M = TypeVar("M", bound=Model)


def best_device() -> str:
    """ "cuda" when PyTorch is installed and sees a GPU, else "cpu"."""
    if importlib.util.find_spec("torch") is None:
        return "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def package_dir(package: str) -> Path:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the package {package!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


class ModelRegistry:
    def __init__(self, device: str | None = None) -> None:
        self._device = device
        self._factories: dict[str, Callable[[], Model]] = {}
        self._loaded: dict[str, Model] = {}
        self._failed: dict[str, str] = {}
        # One lock for every load: libraries such as transformers resolve their lazy
        # imports unsafely when two threads load models at once. Loaded models are served
        # without taking it.
        self._lock = threading.RLock()

    @property
    def device(self) -> str:
        if self._device is None:
            self._device = best_device()
        return self._device

    def register(self, name: str, factory: Callable[[], Model]) -> None:
        if name in self._factories:
            raise ValueError(f"a model named {name!r} is already registered")
        self._factories[name] = factory

    def get(self, name: str, kind: type[M]) -> M:
        """The loaded model (loading it now if need be); ``ModelUnavailable`` with the
        reason when it cannot load."""
        model = self._instance(name)
        if not isinstance(model, kind):
            raise TypeError(f"model {name!r} is a {type(model).__name__}, not {kind.__name__}")
        return model

    def _instance(self, name: str) -> Model:
        model = self._loaded.get(name)
        if model is None:
            with self._lock:
                model = self._loaded.get(name)
                if model is None:
                    model = self._load(name)
        return model

    def _load(self, name: str) -> Model:
        try:
            model = self._factories[name]()
            model.load(self.device)
        except Exception as error:
            reason = str(error) or type(error).__name__
            self._failed[name] = reason
            log.warning("model %s cannot load: %s", name, reason)
            raise ModelUnavailable(name, reason) from error
        self._loaded[name] = model
        self._failed.pop(name, None)
        log.info("loaded model %s on %s", name, self.device)
        return model

    def preload(self) -> None:
        """Load every registered model now (the server does this in the background)."""
        for name in list(self._factories):
            with contextlib.suppress(ModelUnavailable):  # logged; /ready says why
                self._instance(name)

    def has(self, name: str) -> bool:
        return name in self._factories

    def status(self) -> dict[str, str]:
        state = {name: "pending" for name in self._factories}
        state.update({name: "loaded" for name in self._loaded})
        state.update({name: f"failed: {why}" for name, why in self._failed.items()})
        return state

    def ready(self) -> bool:
        return all(name in self._loaded for name in self._factories)
