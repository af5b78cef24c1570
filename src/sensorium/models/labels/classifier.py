"""ImageNet classification with EfficientNet-Lite0: an RGB image in, 1000 probabilities out.

Preprocessing as EfficientNet's evaluation: the shorter side resized to 256 pixels
(bicubic), the centre 224 x 224 cropped, then (pixel - 127) / 128, the scaling the Lite
models were trained with.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sensorium.models.labels.weights import find_efficientnet_weights

RGBImage = npt.NDArray[np.uint8]
INPUT_SIDE = 224
RESIZE_SIDE = 256


def preprocess(rgb: RGBImage) -> npt.NDArray[np.float32]:
    """The network's input (3 x 224 x 224) for an RGB image."""
    from PIL import Image

    picture = Image.fromarray(rgb).convert("RGB")
    scale = RESIZE_SIDE / min(picture.size)
    size = (
        max(INPUT_SIDE, round(picture.width * scale)),
        max(INPUT_SIDE, round(picture.height * scale)),
    )
    picture = picture.resize(size, Image.Resampling.BICUBIC)
    left, top = (size[0] - INPUT_SIDE) // 2, (size[1] - INPUT_SIDE) // 2
    picture = picture.crop((left, top, left + INPUT_SIDE, top + INPUT_SIDE))
    pixels = (np.asarray(picture, dtype=np.float32) - 127.0) / 128.0
    return np.ascontiguousarray(pixels.transpose(2, 0, 1))


class ImageNetClassifier:
    def __init__(self) -> None:
        self._network: object | None = None
        self._device = "cpu"

    def load(self, device: str = "cpu") -> None:
        import torch

        from sensorium.models.labels.network import EfficientNetLite0

        network = EfficientNetLite0()
        state = torch.load(find_efficientnet_weights(), map_location="cpu", weights_only=True)
        network.load_state_dict(state)
        network.eval().to(device)
        self._network = network
        self._device = device

    def probabilities(self, images: list[RGBImage]) -> list[npt.NDArray[np.float32]]:
        """Softmax over the 1000 classes, one array per image."""
        import torch

        from sensorium.models.labels.network import EfficientNetLite0

        network = self._network
        assert isinstance(network, EfficientNetLite0), "load() first"
        batch = torch.from_numpy(np.stack([preprocess(rgb) for rgb in images]))
        with torch.inference_mode():
            logits = network(batch.to(self._device))
        result: npt.NDArray[np.float32] = logits.softmax(-1).float().cpu().numpy()
        return list(result)
