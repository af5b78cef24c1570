"""Probe a stored video and sample its frames.

Only H.264 in an MP4/MOV container is accepted (Rekognition Video's stored-video formats).
Every frame is decoded (H.264 frames depend on each other) but only the sampled ones are
converted to RGB, which is where the time goes: frames are taken at ``fps`` per second of
video, plus every key frame at least ``min_gap`` after the previous sample, since encoders
start a new group of pictures at a scene cut (x264's ``scenecut``) and the new scene's first
frame is then sampled at no extra cost of detection.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import IO, Any

import av
import numpy as np

CONTAINERS = ("mov", "mp4")  # FFmpeg's demuxer is "mov,mp4,m4a,3gp,3g2,mj2"
CODECS = ("h264",)

_log = logging.getLogger("sensorium.video")


class UnsupportedVideo(Exception):
    """Not a video this server reads (not MP4/MOV, not H.264, truncated, unreadable)."""


class VideoTooLong(Exception):
    """Longer than the limit."""


@dataclass(frozen=True)
class VideoInfo:
    codec: str  # "h264"
    format: str  # FFmpeg's long name of the container, e.g. "QuickTime / MOV"
    duration_ms: int
    frame_rate: float
    width: int
    height: int
    color_range: str  # "FULL" or "LIMITED"


@dataclass(frozen=True)
class SampledFrame:
    timestamp_ms: int  # from the start of the video
    rgb: np.ndarray[Any, np.dtype[np.uint8]]  # height x width x 3
    key_frame: bool


class OpenVideo:
    """An opened video: ``info`` at once, ``frames`` sampled as decoding goes."""

    def __init__(self, container: Any, max_seconds: float) -> None:
        self.container = container
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        self.stream = stream
        self.start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        self.info = _info(container, stream)
        if self.info.duration_ms > max_seconds * 1000:
            raise VideoTooLong(
                f"The video is {self.info.duration_ms / 1000:.1f} s long; the limit is "
                f"{max_seconds:g} s."
            )
        self.max_seconds = max_seconds
        self.decoded_until_ms = 0

    def close(self) -> None:
        try:
            self.container.close()
        except Exception:  # PyAV has once asserted on closing a fully read file
            _log.warning("closing a decoded video failed", exc_info=True)

    def __enter__(self) -> OpenVideo:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def frames(
        self,
        fps: float,
        min_gap: float = 0.25,
        convert: bool = True,
        after_ms: int | None = None,
    ) -> Iterator[SampledFrame]:
        """Frames every ``1/fps`` s of video, and key frames ``min_gap`` s after the last
        sample. With ``convert=False`` every frame is decoded but none is converted (the
        cost of decoding alone). With ``after_ms`` (a resumed job) the samples up to that
        timestamp are chosen as before but skipped: the rest are the same frames as in a
        run from the start."""
        step_ms = 1000.0 / fps
        next_ms = 0.0
        last_ms = -1e9
        try:
            for frame in self.container.decode(self.stream):
                if frame.pts is None:
                    continue
                ms = max(0.0, (float(frame.pts * self.stream.time_base) - self.start) * 1000)
                if ms > self.max_seconds * 1000:
                    raise VideoTooLong(f"The video is longer than {self.max_seconds:g} s.")
                self.decoded_until_ms = int(ms)
                due = ms + 0.5 >= next_ms
                cut = frame.key_frame and ms - last_ms >= min_gap * 1000
                if not (due or cut):
                    continue
                if due:
                    while next_ms <= ms + 0.5:
                        next_ms += step_ms
                last_ms = ms
                if after_ms is not None and round(ms) <= after_ms:
                    continue
                if convert:
                    rgb = frame.to_ndarray(format="rgb24")
                    yield SampledFrame(round(ms), rgb, bool(frame.key_frame))
        except av.error.FFmpegError as error:
            raise UnsupportedVideo(f"The video cannot be decoded: {error}") from None
        self.check_complete()

    def frames_at(self, wanted: Collection[int]) -> Iterator[SampledFrame]:
        """The frames whose timestamps (as ``frames`` gives them) are in ``wanted``."""
        try:
            for frame in self.container.decode(self.stream):
                if frame.pts is None:
                    continue
                ms = round(max(0.0, (float(frame.pts * self.stream.time_base) - self.start) * 1000))
                if ms in wanted:
                    yield SampledFrame(ms, frame.to_ndarray(format="rgb24"), bool(frame.key_frame))
        except av.error.FFmpegError as error:
            raise UnsupportedVideo(f"The video cannot be decoded: {error}") from None

    def check_complete(self) -> None:
        """After decoding: a file cut short with its index intact decodes to a premature
        end (``UnsupportedVideo``)."""
        if self.decoded_until_ms + 1000 < self.info.duration_ms - 1000 / max(
            self.info.frame_rate, 1.0
        ):
            raise UnsupportedVideo(
                f"The video ends at {self.decoded_until_ms / 1000:.1f} s of "
                f"{self.info.duration_ms / 1000:.1f} s: the file is truncated or damaged."
            )


def open_video(source: str | os.PathLike[str] | IO[bytes], max_seconds: float) -> OpenVideo:
    """Open and check a video (``UnsupportedVideo``, ``VideoTooLong``)."""
    try:
        container = av.open(source, mode="r")
    except (av.error.FFmpegError, OSError) as error:
        raise UnsupportedVideo(f"The file is not a video this server can read: {error}") from None
    try:
        names = set(container.format.name.split(","))
        if not names & set(CONTAINERS):
            raise UnsupportedVideo(
                f"The container is {container.format.long_name}; only MP4 and MOV are supported."
            )
        if not container.streams.video:
            raise UnsupportedVideo("The file has no video stream.")
        codec = container.streams.video[0].codec_context.name
        if codec not in CODECS:
            raise UnsupportedVideo(f"The video codec is {codec}; only H.264 is supported.")
        return OpenVideo(container, max_seconds)
    except BaseException:
        container.close()
        raise


def _info(container: Any, stream: Any) -> VideoInfo:
    if stream.duration is not None:
        seconds = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        seconds = container.duration / av.time_base
    else:
        seconds = 0.0
    rate = stream.average_rate or stream.guessed_rate or Fraction(0)
    full = stream.codec_context.color_range == 2  # AVCOL_RANGE_JPEG
    return VideoInfo(
        codec=str(stream.codec_context.name),
        format=str(container.format.long_name),
        duration_ms=round(seconds * 1000),
        frame_rate=float(rate),
        width=int(stream.width),
        height=int(stream.height),
        color_range="FULL" if full else "LIMITED",
    )
