"""``sensorium faces index DIR`` and ``sensorium faces search IMAGE``: the bulk job users have.

Both talk to a running server through boto3, exactly as any Rekognition client would.
Indexing is resumable: finished files are recorded in a state file and skipped on a rerun
(and the server itself never duplicates an image indexed again with the same id). It sends
``--workers`` requests at once, in turn to each of the ``--endpoint`` API nodes.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, TextIO

import platformdirs

from sensorium.client import client, default_endpoint
from sensorium.services.rekognition.video.indexing import VIDEO_SUFFIXES, index_video, is_video

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}
_ID_UNSAFE = re.compile(r"[^a-zA-Z0-9_.\-:]+")
# A bulk run keeps going through refusals (the service's throttling error): standard
# retries back off exponentially with jitter.
INDEX_RETRIES = {"mode": "standard", "max_attempts": 10}


def add_commands(commands: Any) -> None:
    faces = commands.add_parser("faces", help="index and search faces in collections")
    sub = faces.add_subparsers(dest="faces_command", required=True)

    index = sub.add_parser(
        "index",
        help="index every photo in a folder, or a photo or video (resumable); a video gives "
        "one face per tracked person",
    )
    index.add_argument("folder", type=Path, help="a folder, or one photo or video")
    index.add_argument("--collection", required=True)
    index.add_argument(
        "--external-id-from",
        choices=("filename", "folder"),
        default="filename",
        help="ExternalImageId: the file's name or its folder's name (one folder per person)",
    )
    index.add_argument("--max-faces", type=int, default=None)
    index.add_argument("--state", type=Path, default=None, help="progress file (resume)")
    index.add_argument(
        "--workers",
        type=int,
        default=1,
        help="requests at once; an API node admits two per model (one at work, one waiting) "
        "and refuses the rest, which are retried: more workers than that do not help",
    )
    _connection_options(index, several=True)
    index.set_defaults(run=index_command)

    search = sub.add_parser("search", help="find the faces in a collection like this photo's")
    search.add_argument("image", type=Path)
    search.add_argument("--collection", required=True)
    search.add_argument("--threshold", type=float, default=80.0)
    search.add_argument("--max-faces", type=int, default=10)
    _connection_options(search)
    search.set_defaults(run=search_command)


def _connection_options(parser: argparse.ArgumentParser, several: bool = False) -> None:
    parser.add_argument(
        "--endpoint",
        default=default_endpoint(),
        help="API nodes sharing one database, comma-separated, sent requests in turn"
        if several
        else None,
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="server's data dir (keys)")


def external_id(path: Path, mode: str) -> str:
    raw = path.parent.name if mode == "folder" else path.stem
    cleaned = _ID_UNSAFE.sub("_", raw).strip("_") or "image"
    return cleaned[:255]


def photos(folder: Path) -> list[Path]:
    """The photos and videos in a folder (or the file itself)."""
    suffixes = IMAGE_SUFFIXES | VIDEO_SUFFIXES
    if folder.is_file():
        return [folder] if folder.suffix.lower() in suffixes else []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)


def index_command(args: argparse.Namespace) -> int:
    from rich.console import Console

    console = Console(stderr=True)
    if args.workers < 1:
        console.print("[red]--workers must be at least 1[/red]")
        return 2
    endpoints = [part.strip() for part in args.endpoint.split(",") if part.strip()]
    if not endpoints:
        console.print("[red]--endpoint: give at least one endpoint[/red]")
        return 2
    nodes = [
        client(
            "rekognition",
            endpoint,
            args.data_dir,
            retries=INDEX_RETRIES,
            connections=args.workers,
        )
        for endpoint in endpoints
    ]
    with contextlib.suppress(nodes[0].exceptions.ResourceAlreadyExistsException):
        nodes[0].create_collection(CollectionId=args.collection)
    state_path = args.state or _default_state("|".join(sorted(endpoints)), args.collection)
    done = _read_state(state_path)
    files = photos(args.folder)
    todo = [(path, key) for path in files if (key := _file_key(path)) not in done]
    summary = {
        "files": len(files),
        "skipped": len(files) - len(todo),
        "indexed_faces": 0,
        "no_face": 0,
        "errors": 0,
    }
    errors: list[str] = []

    s3 = {id(n): client("s3", e, args.data_dir) for n, e in zip(nodes, endpoints, strict=True)}

    def index_one(node: Any, path: Path) -> int:
        name = external_id(path, args.external_id_from)
        if is_video(path):  # one face per tracked person (video/indexing.py)
            return index_video(node, s3[id(node)], path, args.collection, name)
        kwargs: dict[str, Any] = {
            "CollectionId": args.collection,
            "Image": {"Bytes": path.read_bytes()},
            "ExternalImageId": name,
        }
        if args.max_faces:
            kwargs["MaxFaces"] = args.max_faces
        return len(node.index_faces(**kwargs)["FaceRecords"])

    started = time.monotonic()
    # Only this thread records outcomes (state file, counts, bar); workers only send.
    with (
        _progress(console) as progress,
        _append(state_path) as state,
        ThreadPoolExecutor(args.workers, thread_name_prefix="index") as pool,
    ):
        task = progress.add_task("indexing", total=len(files), completed=summary["skipped"])
        pending: dict[Future[int], tuple[Path, str]] = {}

        def record(finished: Iterable[Future[int]]) -> None:
            for future in finished:
                path, key = pending.pop(future)
                progress.advance(task)
                try:
                    faces = future.result()
                except Exception as error:  # report, skip, never abort the batch
                    summary["errors"] += 1
                    message = getattr(error, "response", {}).get("Error", {}).get("Message")
                    errors.append(f"{path}: {message or error}")
                    continue
                summary["indexed_faces"] += faces
                summary["no_face"] += not faces
                state.write(json.dumps({"key": key, "path": str(path), "faces": faces}) + "\n")
                state.flush()

        for turn, (path, key) in enumerate(todo):
            if len(pending) >= 2 * args.workers:  # a bounded window, not every file at once
                record(wait(pending, return_when=FIRST_COMPLETED).done)
            pending[pool.submit(index_one, nodes[turn % len(nodes)], path)] = (path, key)
        while pending:
            record(wait(pending, return_when=FIRST_COMPLETED).done)
    elapsed = time.monotonic() - started
    for line in errors:
        console.print(f"[red]error[/red] {line}")
    console.print(
        f"{summary['files']} files: {summary['indexed_faces']} faces indexed, "
        f"{summary['no_face']} without a face, {summary['skipped']} already done, "
        f"{summary['errors']} errors (progress in {state_path})",
        soft_wrap=True,
    )
    rate = len(todo) / elapsed if elapsed > 0 else 0.0
    console.print(
        f"{len(todo)} sent in {elapsed:.1f} s: {rate:.2f} images/s "
        f"({args.workers} workers, {len(nodes)} endpoints)",
        soft_wrap=True,
    )
    return 1 if summary["errors"] else 0


def _progress(console: Any) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            return Text(f"{task.speed:.2f} images/s" if task.speed else "")

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        Rate(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def search_command(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    rekognition = client("rekognition", args.endpoint, args.data_dir)
    result = rekognition.search_faces_by_image(
        CollectionId=args.collection,
        Image={"Bytes": args.image.read_bytes()},
        FaceMatchThreshold=args.threshold,
        MaxFaces=args.max_faces,
    )
    table = Table(title=f"Faces in {args.collection} like {args.image.name}")
    for column in ("Similarity", "ExternalImageId", "UserId", "FaceId"):
        table.add_column(column)
    for match in result["FaceMatches"]:
        face = match["Face"]
        table.add_row(
            f"{match['Similarity']:.2f}",
            face.get("ExternalImageId", ""),
            face.get("UserId", ""),
            face["FaceId"],
        )
    Console().print(table)
    return 0


def _default_state(endpoint: str, collection: str) -> Path:
    folder = Path(platformdirs.user_state_dir("sensorium", appauthor=False)) / "index"
    folder.mkdir(parents=True, exist_ok=True)
    tag = hashlib.sha256(f"{endpoint}|{collection}".encode()).hexdigest()[:16]
    return folder / f"{collection}-{tag}.jsonl"


def _append(path: Path) -> TextIO:
    """The state file, to add lines to; a line a crash cut short is ended first, so that
    it spoils no line after it."""
    state = path.open("a")
    if state.tell() > 0:
        with path.open("rb") as written:
            written.seek(-1, os.SEEK_END)
            if written.read(1) != b"\n":
                state.write("\n")
    return state


def _read_state(path: Path) -> set[str]:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        return set()
    keys = set()
    for line in path.read_text().splitlines():
        try:
            keys.add(json.loads(line)["key"])
        except (ValueError, KeyError):
            continue  # a line cut short by a crash: that file is simply indexed again
    return keys


def _file_key(path: Path) -> str:
    stat = path.stat()
    return f"{path.resolve()}|{stat.st_size}|{int(stat.st_mtime)}"
