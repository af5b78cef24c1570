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

    @registry.handler(SERVICE, "StartSegmentDetection")
    def start_segment_detection(ctx: RequestContext, params: Params) -> Params:
        return video.start_segment_detection(ctx, params)

    @registry.handler(SERVICE, "GetSegmentDetection")
    def get_segment_detection(ctx: RequestContext, params: Params) -> Params:
        return video.get_segment_detection(ctx, params)

    @registry.handler(SERVICE, "StartLabelDetection")
    def start_label_detection(ctx: RequestContext, params: Params) -> Params:
        return video.start_label_detection(ctx, params)

    @registry.handler(SERVICE, "GetLabelDetection")
    def get_label_detection(ctx: RequestContext, params: Params) -> Params:
        return video.get_label_detection(ctx, params)

    @registry.handler(SERVICE, "StartTextDetection")
    def start_text_detection(ctx: RequestContext, params: Params) -> Params:
        return video.start_text_detection(ctx, params)

    @registry.handler(SERVICE, "GetTextDetection")
    def get_text_detection(ctx: RequestContext, params: Params) -> Params:
        return video.get_text_detection(ctx, params)
