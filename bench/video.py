"""Rekognition Video throughput: seconds of video analysed per wall-clock second, and what
the sampling rate costs in recall.

``python -m bench.video [--fps 0.5 1 2 5] [--rounds 1]`` — the Hamilton clip of
``../shared/data/video`` run through what a face search job does per sampled frame (decode
every frame, convert the sampled ones, detect and embed faces, track them) at each rate and at
every frame, against decoding alone in the same run (the ceiling: the job cannot go faster than
the decoder), and a segment detection job's work (every frame decoded, scaled down and
measured).

Recall is measured against the faces found at full frame rate: every frame is analysed and
tracked, and a rate's sampled frames (the very same decoded frames, so the same detections)
recall a *face-second* (a full-rate track seen in a second of video) when one of them in that
second shows that track, and a *person* (a full-rate track seen in at least ``MIN_FRAMES``
frames, which drops one-frame flickers) when any of them shows it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Collection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sensorium.models.video import FaceTracker, open_video
from sensorium.services.rekognition.engine import FaceEngine
from sensorium.services.rekognition.video import analyses

Tracks = dict[int, list[int]]  # timestamp (ms) -> track index of each face in that frame
FULL_RATE = 1000.0  # frames a second asked for: every frame
MIN_FRAMES = 15  # full-rate frames a track needs to count as a person (half a second)
CLIP = Path(__file__).resolve().parents[2] / "shared" / "data" / "video" / "short_hamilton_clip.mp4"


def decode_only(path: Path) -> tuple[float, float]:
    """(video seconds, wall seconds) to decode every frame and convert none."""
    start = time.perf_counter()
    with open_video(path, 6 * 3600) as video:
        for _ in video.frames(1.0, convert=False):
            pass
        seconds = video.info.duration_ms / 1000
    return seconds, time.perf_counter() - start


def analyse(path: Path, engine: FaceEngine, fps: float) -> tuple[float, float, Tracks]:
    """(video seconds, wall seconds, each analysed frame's track indexes by timestamp) at
    ``fps`` (above the frame rate: every frame)."""
    start = time.perf_counter()
    tracker = FaceTracker()
    tracks: Tracks = {}
    with open_video(path, 6 * 3600) as video:
        for frame in video.frames(fps):
            found = engine.analyze(frame.rgb, embed=True)
            tracks[frame.timestamp_ms] = tracker.assign(frame.timestamp_ms, found)
        seconds = video.info.duration_ms / 1000
    return seconds, time.perf_counter() - start, tracks


def recall(full: Tracks, sampled: Collection[int]) -> tuple[float, float]:
    """(face-seconds, persons) of the full-rate run that the frames at ``sampled`` show."""
    truth = {(track, ms // 1000) for ms, found in full.items() for track in found}
    shown = {(track, ms // 1000) for ms, found in full.items() if ms in sampled for track in found}
    frames = Counter(track for found in full.values() for track in found)
    people = {track for track, count in frames.items() if count >= MIN_FRAMES}
    seen = {track for ms, found in full.items() if ms in sampled for track in found}
    face_seconds = len(shown) / len(truth) if truth else 1.0
    return face_seconds, len(seen & people) / len(people) if people else 1.0


def segments(path: Path) -> tuple[float, float, int]:
    """(video seconds, wall seconds, segments) for a segment detection job's work."""

    class Job:
        def check(self) -> None: ...

        def progress(self, share: float) -> None: ...

    start = time.perf_counter()
    with open_video(path, 6 * 3600) as video:
        _, found = analyses.segments(Job(), video, {"SegmentTypes": ["SHOT", "TECHNICAL_CUE"]})  # type: ignore[arg-type]
        seconds = video.info.duration_ms / 1000
    return seconds, time.perf_counter() - start, len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clip", type=Path, default=CLIP)
    parser.add_argument("--fps", type=float, nargs="+", default=[0.5, 1.0, 2.0, 5.0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--models-dir", type=Path, default=None)
    args = parser.parse_args()
    engine = FaceEngine(args.models_dir)
    engine.load("cpu")
    print(
        "| pipeline | frames analysed | tracks | face-seconds recalled | persons recalled "
        "| video s / wall s | ratio to decoding |"
    )
    print("|---|---|---|---|---|---|---|")
    for _ in range(args.rounds):
        seconds, wall = decode_only(args.clip)
        base = seconds / wall
        print(f"| decoding alone | 0 | - | - | - | {base:.1f} | 1.00 |")
        every = analyse(args.clip, engine, FULL_RATE)
        full = every[2]
        runs = [(f"{fps:g} fps + key frames", analyse(args.clip, engine, fps)) for fps in args.fps]
        for name, (seconds, wall, tracks) in [*runs, ("every frame", every)]:
            faces, persons = recall(full, tracks.keys())
            tracked = len({t for found in tracks.values() for t in found})
            rate = seconds / wall
            print(
                f"| {name} | {len(tracks)} | {tracked} | {faces:.2f} | {persons:.2f} "
                f"| {rate:.2f} | {rate / base:.3f} |"
            )
        seconds, wall, count = segments(args.clip)
        rate = seconds / wall
        print(
            f"| segments (every frame) | - | - | - | {count} segments | {rate:.1f} "
            f"| {rate / base:.2f} |"
        )


if __name__ == "__main__":
    main()
