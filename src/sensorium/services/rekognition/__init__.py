"""Amazon Rekognition."""

from __future__ import annotations

from sensorium.components import Components


def install(components: Components) -> None:
    from sensorium.models.registry import FACE_MODEL_VERSION
    from sensorium.services.rekognition import handlers
    from sensorium.services.rekognition.collections import CollectionService

    handlers.register(
        components.operations, CollectionService(components.database, FACE_MODEL_VERSION)
    )
