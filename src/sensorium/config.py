"""Every setting, read once: command-line flags override ``SENSORIUM_*`` environment variables.

Nothing else in Sensorium reads a ``SENSORIUM_*`` variable. Settings are grouped: the server's
own at the top level, then one section per concern (``settings.s3``, ``settings.models``,
``settings.jobs``) and per service (``settings.polly``, ``settings.transcribe`` ...). Each
section reads the variables that start with its prefix (``SENSORIUM_S3_ENDPOINT`` is
``settings.s3.endpoint``); a few older names are accepted as aliases. ``environment_names()``
lists every variable, and the README's configuration table is checked against it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7367  # "SENS" on a phone keypad
PREFIX = "SENSORIUM_"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("sensorium", appauthor=False))


def default_models_dir() -> Path:
    """Weights are a cache: they can always be fetched again."""
    return Path(platformdirs.user_cache_dir("sensorium", appauthor=False)) / "models"


def _section(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=f"{PREFIX}{prefix}", extra="ignore")


class S3Settings(BaseSettings):
    """Where ``s3://`` URIs live: local bucket folders unless an endpoint is given."""

    model_config = _section("S3_")

    endpoint: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    region: str = "us-east-1"


class ModelSettings(BaseSettings):
    """Model weights: where they are kept and whether ``serve`` may fetch missing ones."""

    model_config = _section("MODELS_")

    dir: Path = Field(default_factory=default_models_dir)
    fetch: bool = True


class JobSettings(BaseSettings):
    """The durable job system (transcriptions, synthesis tasks, builds, forecasts...)."""

    model_config = _section("JOBS_")

    workers: int = Field(
        default=4,
        ge=1,
        validation_alias=AliasChoices("SENSORIUM_JOBS_WORKERS", "SENSORIUM_WORKERS"),
    )
    max_attempts: int = Field(default=2, ge=1)
    lease_seconds: float = Field(default=30.0, gt=0)
    poll_seconds: float = Field(default=0.5, gt=0)


class RaySettings(BaseSettings):
    """Execution on a Ray cluster: durable jobs as Ray workers, heavy models as Ray Serve
    deployments. Without an address everything runs in this process."""

    model_config = _section("RAY_")

    address: str | None = None  # e.g. "ray://head:10001" or "head:6379"; "auto": a local one
    # Ray workers that claim and run durable jobs (each one process on the cluster).
    job_workers: int = Field(default=2, ge=0)
    # Models served as Ray Serve deployments instead of in this process, comma-separated.
    serve_models: str = ""
    serve_replicas: int = Field(default=1, ge=1)


class AdmissionSettings(BaseSettings):
    """How much costly work runs at once (per model), how much may wait, for how long.

    One at a time per model: each inference already uses every core (PyTorch, onnxruntime and
    CTranslate2 parallelise within a call), so a second one only halves both (measured on two
    cores, bench/load.py: the same throughput, twice the latency)."""

    model_config = _section("ADMISSION_")

    concurrency: int = Field(default=1, ge=1)
    queue: int = Field(default=1, ge=0)
    wait_seconds: float = Field(default=30.0, gt=0)
    # Calls a second each account may make (token bucket); 0: no limit.
    account_rate: float = Field(default=0.0, ge=0)
    account_burst: int = Field(default=20, ge=1)


class FacesSettings(BaseSettings):
    """Rekognition face search: exact below a collection size, approximate (HNSW, re-ranked
    exactly) above it; snapshots of large collections' indexes under DATA_DIR/indexes."""

    model_config = _section("FACES_")

    # Collections with at least this many faces search an HNSW graph; smaller ones compare
    # every face (bench/faces_scale.py: exact search stays under a millisecond below it).
    ann_min_faces: int = Field(default=100_000, ge=1)
    # Graph candidates re-ranked by exact distance (at least MaxFaces) and search breadth.
    ann_candidates: int = Field(default=32, ge=1)
    ann_expansion: int = Field(default=128, ge=1)
    # A large collection's index is saved again after this many face changes.
    snapshot_changes: int = Field(default=20_000, ge=1)
    # Face changes (versions) kept in the change log that nodes catch up from.
    log_versions: int = Field(default=100_000, ge=1)


class VideoSettings(BaseSettings):
    """Rekognition Video (stored video): limits as AWS documents them, and frame sampling."""

    model_config = _section("VIDEO_")

    max_bytes: int = Field(default=10 * 1024**3, ge=1)  # AWS: 10 GB
    max_seconds: float = Field(default=6 * 3600, gt=0)  # AWS: 6 hours
    # Frames analysed per second of video (bench/video.py), besides each scene's first.
    sample_fps: float = Field(default=2.0, gt=0, le=60)
    # Seconds of video between a face job's checkpoints (what a restarted job resumes from).
    checkpoint_seconds: float = Field(default=60.0, gt=0)


class PollySettings(BaseSettings):
    model_config = _section("POLLY_")

    # Extra folders of Piper voices, separated by the OS path separator.
    voices_dir: str = ""
    # Polly names pinned to installed voices: "Joanna=en_US-joe-medium,...".
    voice_map: str = ""


class TranscribeSettings(BaseSettings):
    model_config = _section("TRANSCRIBE_")

    bucket: str = "sensorium-transcribe"
    whisper_model: Path | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "SENSORIUM_TRANSCRIBE_WHISPER_MODEL", "SENSORIUM_WHISPER_MODEL"
        ),
    )


class ComprehendSettings(BaseSettings):
    model_config = _section("COMPREHEND_")

    sentiment_variant: Literal["lora", "head"] = Field(
        default="lora",
        validation_alias=AliasChoices(
            "SENSORIUM_COMPREHEND_SENTIMENT_VARIANT", "SENSORIUM_SENTIMENT_VARIANT"
        ),
    )
    # Passes over a custom document classifier's training data (backpropagation epochs).
    classifier_epochs: int = Field(default=40, ge=1, le=1000)


class ForecastSettings(BaseSettings):
    model_config = _section("FORECAST_")

    deepar_steps: int | None = Field(default=None, ge=1)
    # The recurrent network is small: two CPU cores train it faster than a GPU (measured).
    device: Literal["cpu", "cuda"] = "cpu"


class SageMakerSettings(BaseSettings):
    model_config = _section("SAGEMAKER_")

    # Accounts whose training jobs may run their own PyTorch script (script mode), which runs
    # with the server's privileges: comma-separated account ids, or "*"; empty: none.
    script_accounts: str = ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore")

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None  # default: SQLite in the data directory
    # Connections each process keeps to PostgreSQL (as many more in bursts); every node of a
    # cluster holds up to twice this many, which its max_connections must allow for.
    database_pool_size: int = Field(default=10, ge=1)
    max_body_bytes: int = 64 * 1024 * 1024
    # How long a client may pause while sending a body (one cut short of its length).
    body_idle_seconds: float = Field(default=20.0, gt=0)
    log_level: str = "info"
    # Which services to load, comma-separated (e.g. "rekognition,polly"); empty: all of them.
    # Each loaded service preloads its models, so this saves memory and start-up time.
    services: str = ""
    # "AK:SK[:TOKEN][,AK2:SK2...]"; without it, DATA_DIR/credentials or a generated pair.
    credentials: str | None = None
    # Where the command-line tools reach a running server.
    endpoint: str = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"

    s3: S3Settings = Field(default_factory=S3Settings)
    models: ModelSettings = Field(default_factory=ModelSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    ray: RaySettings = Field(default_factory=RaySettings)
    admission: AdmissionSettings = Field(default_factory=AdmissionSettings)
    faces: FacesSettings = Field(default_factory=FacesSettings)
    video: VideoSettings = Field(default_factory=VideoSettings)
    polly: PollySettings = Field(default_factory=PollySettings)
    transcribe: TranscribeSettings = Field(default_factory=TranscribeSettings)
    comprehend: ComprehendSettings = Field(default_factory=ComprehendSettings)
    forecast: ForecastSettings = Field(default_factory=ForecastSettings)
    sagemaker: SageMakerSettings = Field(default_factory=SageMakerSettings)

    @property
    def buckets_dir(self) -> Path:
        return self.data_dir / "s3"

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given values (``None`` means "not given"); dotted names such as
        ``s3.endpoint`` reach into a section."""
        top: dict[str, Any] = {}
        sections: dict[str, dict[str, Any]] = {}
        for name, value in overrides.items():
            if value is None:
                continue
            section, _, field = name.rpartition(".")
            if section:
                sections.setdefault(section, {})[field] = value
            else:
                top[field] = value
        for section, values in sections.items():
            top[section] = getattr(self, section).model_copy(update=values)
        return self.model_copy(update=top)


_SECTIONS: dict[str, type[BaseSettings]] = {
    "s3": S3Settings,
    "models": ModelSettings,
    "jobs": JobSettings,
    "ray": RaySettings,
    "admission": AdmissionSettings,
    "faces": FacesSettings,
    "video": VideoSettings,
    "polly": PollySettings,
    "transcribe": TranscribeSettings,
    "comprehend": ComprehendSettings,
    "forecast": ForecastSettings,
    "sagemaker": SageMakerSettings,
}


def environment_names() -> dict[str, list[str]]:
    """Every environment variable a setting reads: its name -> accepted older names."""
    names: dict[str, list[str]] = {}
    classes: list[type[BaseSettings]] = [Settings, *_SECTIONS.values()]
    for cls in classes:
        prefix = str(cls.model_config.get("env_prefix", ""))
        for field_name, field in cls.model_fields.items():
            if field_name in _SECTIONS:
                continue
            alias = field.validation_alias
            if isinstance(alias, AliasChoices):
                choices = [str(choice) for choice in alias.choices]
                names[choices[0]] = choices[1:]
            else:
                names[f"{prefix}{field_name}".upper()] = []
    return names
