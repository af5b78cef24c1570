"""Server settings: command-line flags override ``SENSORIUM_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7367  # "SENS" on a phone keypad


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("sensorium", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SENSORIUM_", extra="ignore")

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None  # default: SQLite in the data directory
    s3_endpoint: str | None = None  # default: local buckets under DATA_DIR/s3
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_region: str = "us-east-1"
    max_body_bytes: int = 64 * 1024 * 1024
    # Model weights fetched at setup time (`make models`), e.g. MTCNN's from its wheel.
    models_dir: Path = Field(default_factory=lambda: default_data_dir() / "models")
    log_level: str = "info"
    workers: int = 4  # threads running background jobs
    # Which services to load, comma-separated (e.g. "rekognition,polly"); empty: all of them.
    # Each loaded service preloads its models, so this saves memory and start-up time.
    services: str = ""

    @property
    def buckets_dir(self) -> Path:
        return self.data_dir / "s3"
