"""Amazon Polly: neural speech from installed Piper voices."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from sensorium.components import Components

VOICES_DIR_ENV = "SENSORIUM_POLLY_VOICES_DIR"


def voice_folders(data_dir: Path) -> list[Path]:
    """Extra voice folders: ``$SENSORIUM_POLLY_VOICES_DIR`` (``:``-separated) and
    ``DATA_DIR/voices``."""
    configured = [Path(p) for p in os.environ.get(VOICES_DIR_ENV, "").split(os.pathsep) if p]
    return [*configured, data_dir / "voices"]


def install(components: Components) -> None:
    from sensorium.models.tts.piper_voice import PiperVoiceModel
    from sensorium.models.tts.voices import discover
    from sensorium.services.polly import handlers
    from sensorium.services.polly.catalog import POLLY_VOICES, VoiceCatalog
    from sensorium.services.polly.lexicons import LexiconStore
    from sensorium.services.polly.synthesis import Synthesizer, model_name
    from sensorium.services.polly.tasks import TaskService

    installed = discover(voice_folders(components.settings.data_dir))
    for spec in installed:
        components.models.register(model_name(spec), partial(PiperVoiceModel, spec))
    catalog = VoiceCatalog(installed)
    languages = frozenset(language for language, _ in POLLY_VOICES.values())
    lexicons = LexiconStore(components.database, languages)
    synthesizer = Synthesizer(components.models, catalog, lexicons)
    tasks = TaskService(components.database, components.blobs, components.jobs, synthesizer)
    handlers.register(components.operations, catalog, lexicons, synthesizer, tasks)
    tasks.recover()
