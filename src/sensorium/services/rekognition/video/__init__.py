"""Rekognition Video on stored video (``Video.S3Object``): face detection, face search,
segment, label and text detection as durable jobs of the shared job system."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sensorium.components import Components

if TYPE_CHECKING:
    from sensorium.services.rekognition.faces import FaceService
    from sensorium.services.rekognition.video.service import VideoService


def install(components: Components, faces: FaceService) -> VideoService:
    from sensorium.services.rekognition.errors import ERRORS
    from sensorium.services.rekognition.video import handlers
    from sensorium.services.rekognition.video.service import VideoService

    video = VideoService(
        components.database,
        components.blobs,
        components.jobs,
        faces,
        components.paginator(ERRORS, 255),
        components.settings.video,
        components.models,
    )
    handlers.register(components.operations, video)
    return video
