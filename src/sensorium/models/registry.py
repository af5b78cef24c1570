"""The model registry: resolves packaged weights, picks the device, loads each model once.

Every model is an implementation of ``Model`` (load, then predict through its own methods);
the registry loads them lazily and thread-safely, and reports readiness for ``/ready``.

A ``Servable`` model may run elsewhere: the registry hands the services the same object,
connected to a ``Runtime`` instead of loaded, when the settings name it (one adapter per
runtime: ``models/ray_serve.py`` for Ray Serve).
"""

from __future__ import annotations

import abc
import contextlib
import importlib.util
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from sensorium.errors import ConfigurationError, ModelUnavailable

if TYPE_CHECKING:
    from sensorium.config import RaySettings

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
Request = TypeVar("Request")
Result = TypeVar("Result")


class Servable(Model, Generic[Request, Result]):
    """A model that can run in another process: all its inference goes through ``infer``,
    whose requests and results are picklable (numpy arrays, dataclasses).

    Its typed methods build a request and call :meth:`run`. In this process ``run`` calls
    ``infer`` on the loaded model; once connected to a runtime it sends the request there,
    and this object loads nothing.
    """

    # How many requests one ``infer`` call may take (a runtime batches requests that arrive
    # together up to this); 1 for a model that computes a batch no faster than one by one.
    max_batch_size: int = 1
    _remote: Callable[[Request], Result] | None = None

    @abc.abstractmethod
    def infer(self, requests: Sequence[Request]) -> list[Result]:
        """One result per request, in order."""

    def connect(self, remote: Callable[[Request], Result]) -> None:
        self._remote = remote

    def run(self, request: Request) -> Result:
        if self._remote is not None:
            return self._remote(request)
        return self.infer([request])[0]


class Runtime(Protocol):
    """Where some models run instead of this process (Ray Serve deployments)."""

    def serves(self, name: str) -> bool: ...

    def capacity(self, name: str) -> int:
        """How many requests the model works on at once (its replicas)."""
        ...

    def serve(
        self, name: str, factory: Callable[[], Model], max_batch_size: int
    ) -> Callable[[Any], Any]:
        """Deploy ``factory``'s model (a ``Servable``), or find it deployed; the function
        that sends it one request and returns its result."""
        ...


def runtime(settings: RaySettings) -> Runtime | None:
    """The runtime the settings ask for: Ray Serve when a cluster and models are named."""
    names = {name.strip() for name in settings.serve_models.split(",") if name.strip()}
    if not names:
        return None
    if not settings.address:
        raise ConfigurationError("SENSORIUM_RAY_SERVE_MODELS needs SENSORIUM_RAY_ADDRESS")
    try:
        from sensorium.models.ray_serve import RayServe
    except ImportError as missing:
        raise ConfigurationError(
            f"SENSORIUM_RAY_SERVE_MODELS needs Ray Serve ({missing}): "
            "pip install 'sensorium[cluster]'"
        ) from missing
    return RayServe(settings.address, names, settings.serve_replicas)


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
    def __init__(self, device: str | None = None, runtime: Runtime | None = None) -> None:
        self._device = device
        self._runtime = runtime
        self._factories: dict[str, Callable[[], Model]] = {}
        self._loaded: dict[str, Model] = {}
        self._failed: dict[str, str] = {}
        # One lock for every load: libraries such as transformers resolve their lazy
        # imports unsafely when two threads load models at once. Loaded models are served
        # without taking it.
        self._lock = threading.RLock()
        # A model served elsewhere takes a lock of its own: it may wait long for its runtime.
        self._serving: dict[str, threading.Lock] = {}

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
            lock = self._serving.setdefault(name, threading.Lock()) if self._served(name) else None
            with lock or self._lock:
                model = self._loaded.get(name)
                if model is None:
                    model = self._load(name)
        return model

    def _load(self, name: str) -> Model:
        factory = self._factories[name]
        try:
            model = factory()
            if self._runtime is not None and self._runtime.serves(name):
                if not isinstance(model, Servable):
                    raise ConfigurationError(f"{type(model).__name__} cannot run elsewhere")
                model.connect(self._runtime.serve(name, factory, model.max_batch_size))
                where = f"{type(self._runtime).__name__} ({self.capacity(name)} at once)"
            else:
                model.load(self.device)
                where = self.device
        except Exception as error:
            reason = str(error) or type(error).__name__
            self._failed[name] = reason
            log.warning("model %s cannot load: %s", name, reason)
            raise ModelUnavailable(name, reason) from error
        self._loaded[name] = model
        self._failed.pop(name, None)
        log.info("loaded model %s on %s", name, where)
        return model

    def _served(self, name: str) -> bool:
        return self._runtime is not None and self._runtime.serves(name)

    def capacity(self, name: str) -> int:
        """How many requests model ``name`` works on at once: 1 in this process (each
        inference uses every core), its replicas when a runtime serves it."""
        return self._runtime.capacity(name) if self._runtime and self._served(name) else 1

    def preload(self) -> None:
        """Load every registered model now (the server does this in the background). Each
        model served elsewhere connects in a thread of its own, retried until its runtime
        answers (the cluster may come up after the server)."""
        for name in list(self._factories):
            if self._served(name):
                threading.Thread(
                    target=self._keep_trying, args=(name,), name=f"serve-{name}", daemon=True
                ).start()
                continue
            with contextlib.suppress(ModelUnavailable):  # logged; /ready says why
                self._instance(name)

    def _keep_trying(self, name: str, longest: float = 60.0) -> None:
        delay = 1.0
        while name not in self._loaded:
            try:
                self._instance(name)
            except ModelUnavailable as error:
                if isinstance(error.__cause__, ConfigurationError):
                    return  # no retry mends it; /ready says why
                time.sleep(delay)
                delay = min(longest, delay * 2)

    def has(self, name: str) -> bool:
        return name in self._factories

    def status(self) -> dict[str, str]:
        state = {name: "pending" for name in self._factories}
        state.update({name: "loaded" for name in self._loaded})
        state.update({name: f"failed: {why}" for name, why in self._failed.items()})
        return state

    def ready(self) -> bool:
        return all(name in self._loaded for name in self._factories)
