"""Exception shapes of Rekognition's model that only the video operations raise."""

from __future__ import annotations

from sensorium.services.rekognition.errors import RekognitionError


class VideoTooLargeException(RekognitionError): ...


class IdempotentParameterMismatchException(RekognitionError): ...
