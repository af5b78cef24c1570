"""Rekognition Video's operations on stored video."""

from __future__ import annotations

from sensorium.context import RequestContext
from sensorium.operations import OperationRegistry, Params
from sensorium.services.rekognition.video.service import VideoService

SERVICE = "rekognition"


def register(registry: OperationRegistry, video: VideoService) -> None:
    @registry.handler(SERVICE, "StartFaceDetection")
    def start_face_detection(ctx: RequestContext, params: Params) -> Params:
        return video.start_face_detection(ctx, params)

    @registry.handler(SERVICE, "GetFaceDetection")
    def get_face_detection(ctx: RequestContext, params: Params) -> Params:
        return video.get_face_detection(ctx, params)

    @registry.handler(SERVICE, "StartFaceSearch")
    def start_face_search(ctx: RequestContext, params: Params) -> Params:
        return video.start_face_search(ctx, params)

    @registry.handler(SERVICE, "GetFaceSearch")
    def get_face_search(ctx: RequestContext, params: Params) -> Params:
        return video.get_face_search(ctx, params)
