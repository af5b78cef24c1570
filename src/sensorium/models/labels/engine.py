"""The label classifier as a registry model (loaded once, in the background at startup).

A ``Servable`` model: in this process, or as Ray Serve replicas when
``SENSORIUM_RAY_SERVE_MODELS`` names it; DetectLabels calls the same method either way. Only
the image goes out and only the 1000 class probabilities come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sensorium.models.labels.classifier import ImageNetClassifier, RGBImage
from sensorium.models.registry import Servable

LABEL_MODEL = "rekognition-labels"
# Reported as DetectLabels' LabelModelVersion: the network and the taxonomy's version.
LABEL_MODEL_VERSION = "efficientnet_lite0_sensorium_labels_v1"


@dataclass(frozen=True)
class LabelRequest:
    rgb: RGBImage


class LabelEngine(Servable[LabelRequest, npt.NDArray[np.float32]]):
    """ImageNet class probabilities of whole images (the images of one call batch)."""

    name = LABEL_MODEL
    model_version = LABEL_MODEL_VERSION
    max_batch_size = 8

    def __init__(self) -> None:
        self._classifier: ImageNetClassifier | None = None

    def load(self, device: str) -> None:
        classifier = ImageNetClassifier()
        classifier.load(device)
        self._classifier = classifier

    def infer(self, requests: Sequence[LabelRequest]) -> list[npt.NDArray[np.float32]]:
        assert self._classifier is not None, "load() first"
        return self._classifier.probabilities([request.rgb for request in requests])

    def classify(self, rgb: RGBImage) -> npt.NDArray[np.float32]:
        """The probability of each ImageNet class (the taxonomy's class order)."""
        return self.run(LabelRequest(rgb))
