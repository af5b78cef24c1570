"""A model.tar.gz made by either algorithm, loaded back for inference on the CPU."""

from __future__ import annotations

import json

from sensorium.models.sound import anomaly, classifier
from sensorium.models.sound.anomaly import AnomalyDetector
from sensorium.models.sound.classifier import CONFIG_FILE, WEIGHTS_FILE, SoundClassifier, unpack

SoundModel = SoundClassifier | AnomalyDetector


class ArtifactError(ValueError):
    """Not a model.tar.gz of these algorithms."""


def load(data: bytes) -> SoundModel:
    try:
        files = unpack(data)
        config = json.loads(files[CONFIG_FILE])
        weights = files[WEIGHTS_FILE]
        if config.get("kind") == classifier.KIND:
            return SoundClassifier.from_files(config, weights)
        if config.get("kind") == anomaly.KIND:
            return AnomalyDetector.from_files(config, weights)
    except ArtifactError:
        raise
    except Exception as error:  # a corrupt archive fails in tarfile, json or torch alike
        raise ArtifactError(f"the model artefact cannot be read ({error})") from None
    raise ArtifactError(f"the model artefact's kind {config.get('kind')!r} is not known")
