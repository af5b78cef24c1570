"""Stored video: probing and sampling frames with PyAV (FFmpeg), and following faces."""

from sensorium.models.video.decoding import (
    SampledFrame,
    UnsupportedVideo,
    VideoInfo,
    VideoTooLong,
    open_video,
)
from sensorium.models.video.tracking import FaceTracker, Sighting, Track

__all__ = [
    "FaceTracker",
    "SampledFrame",
    "Sighting",
    "Track",
    "UnsupportedVideo",
    "VideoInfo",
    "VideoTooLong",
    "open_video",
]
