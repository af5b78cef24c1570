"""Rekognition Video throughput: seconds of video analysed per wall-clock second.

``python bench/video.py [--fps 2 1 4] [--rounds 2]`` — the Hamilton clip of
``../shared/data/video`` run through what a face search job does per sampled frame (decode
every frame, convert the sampled ones, detect and embed faces, track them), against decoding
alone in the same run (the ceiling: the job cannot go faster than the decoder), and a segment
detection job's work (every frame decoded, scaled down and measured).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sensorium.models.video import FaceTracker, open_video
from sensorium.services.rekognition.engine import FaceEngine
from sensorium.services.rekognition.video import analyses

CLIP = Path(__file__).resolve().parents[2] / "shared" / "data" / "video" / "short_hamilton_clip.mp4"


def decode_only(path: Path) -> tuple[float, float]:
    """(video seconds, wall seconds) to decode every frame and convert none."""
    start = time.perf_counter()
    with open_video(path, 6 * 3600) as video:
        for _ in video.frames(1.0, convert=False):
            pass
        seconds = video.info.duration_ms / 1000
    return seconds, time.perf_counter() - start


def analyse(path: Path, engine: FaceEngine, fps: float) -> tuple[float, float, int, int]:
    """(video seconds, wall seconds, frames analysed, persons) at ``fps``."""
    start = time.perf_counter()
    tracker = FaceTracker()
    frames = 0
    with open_video(path, 6 * 3600) as video:
        for frame in video.frames(fps):
            tracker.assign(frame.timestamp_ms, engine.analyze(frame.rgb, embed=True))
            frames += 1
        seconds = video.info.duration_ms / 1000
    return seconds, time.perf_counter() - start, frames, len(tracker.tracks)


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
    parser.add_argument("--fps", type=float, nargs="+", default=[2.0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--models-dir", type=Path, default=None)
    args = parser.parse_args()
    engine = FaceEngine(args.models_dir)
    engine.load("cpu")
    print("| pipeline | frames analysed | persons | video s / wall s | ratio to decoding |")
    print("|---|---|---|---|---|")
    for _ in range(args.rounds):
        seconds, wall = decode_only(args.clip)
        base = seconds / wall
        print(f"| decoding alone | 0 | - | {base:.1f} | 1.00 |")
        for fps in args.fps:
            seconds, wall, frames, persons = analyse(args.clip, engine, fps)
            rate = seconds / wall
            name = f"{fps:g} fps + key frames"
            print(f"| {name} | {frames} | {persons} | {rate:.2f} | {rate / base:.3f} |")
        seconds, wall, count = segments(args.clip)
        rate = seconds / wall
        print(f"| segments (every frame) | {count} segments | - | {rate:.1f} | {rate / base:.2f} |")


if __name__ == "__main__":
    main()
