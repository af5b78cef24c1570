"""``sensorium faces index DIR`` and ``sensorium faces search IMAGE``: the bulk job users have.

Both talk to a running server through boto3, exactly as any Rekognition client would.
Indexing is resumable: finished files are recorded in a state file and skipped on a rerun
(and the server itself never duplicates an image indexed again with the same id).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import platformdirs

from sensorium.client import client, default_endpoint

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}
_ID_UNSAFE = re.compile(r"[^a-zA-Z0-9_.\-:]+")


def add_commands(commands: Any) -> None:
    faces = commands.add_parser("faces", help="index and search faces in collections")
    sub = faces.add_subparsers(dest="faces_command", required=True)

    index = sub.add_parser("index", help="index every photo in a folder (resumable)")
    index.add_argument("folder", type=Path)
    index.add_argument("--collection", required=True)
    index.add_argument(
        "--external-id-from",
        choices=("filename", "folder"),
        default="filename",
        help="ExternalImageId: the file's name or its folder's name (one folder per person)",
    )
    index.add_argument("--max-faces", type=int, default=None)
    index.add_argument("--state", type=Path, default=None, help="progress file (resume)")
    _connection_options(index)
    index.set_defaults(run=index_command)

    search = sub.add_parser("search", help="find the faces in a collection like this photo's")
    search.add_argument("image", type=Path)
    search.add_argument("--collection", required=True)
    search.add_argument("--threshold", type=float, default=80.0)
    search.add_argument("--max-faces", type=int, default=10)
    _connection_options(search)
    search.set_defaults(run=search_command)


def _connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", default=default_endpoint())
    parser.add_argument("--data-dir", type=Path, default=None, help="server's data dir (keys)")


def external_id(path: Path, mode: str) -> str:
    raw = path.parent.name if mode == "folder" else path.stem
    cleaned = _ID_UNSAFE.sub("_", raw).strip("_") or "image"
    return cleaned[:255]


def photos(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    )


def index_command(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = Console(stderr=True)
    rekognition = client("rekognition", args.endpoint, args.data_dir)
    with contextlib.suppress(rekognition.exceptions.ResourceAlreadyExistsException):
        rekognition.create_collection(CollectionId=args.collection)
    state_path = args.state or _default_state(args.endpoint, args.collection)
    done = _read_state(state_path)
    files = photos(args.folder)
    summary = {"files": len(files), "skipped": 0, "indexed_faces": 0, "no_face": 0, "errors": 0}
    errors: list[str] = []
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("indexing", total=len(files))
        with state_path.open("a") as state:
            for path in files:
                key = _file_key(path)
                if key in done:
                    summary["skipped"] += 1
                    progress.advance(task)
                    continue
                try:
                    kwargs: dict[str, Any] = {
                        "CollectionId": args.collection,
                        "Image": {"Bytes": path.read_bytes()},
                        "ExternalImageId": external_id(path, args.external_id_from),
                    }
                    if args.max_faces:
                        kwargs["MaxFaces"] = args.max_faces
                    records = rekognition.index_faces(**kwargs)["FaceRecords"]
                except Exception as error:  # report, skip, never abort the batch
                    summary["errors"] += 1
                    message = getattr(error, "response", {}).get("Error", {}).get("Message")
                    errors.append(f"{path}: {message or error}")
                    progress.advance(task)
                    continue
                summary["indexed_faces"] += len(records)
                summary["no_face"] += not records
                state.write(json.dumps({"key": key, "path": str(path), "faces": len(records)}))
                state.write("\n")
                state.flush()
                progress.advance(task)
    for line in errors:
        console.print(f"[red]error[/red] {line}")
    console.print(
        f"{summary['files']} files: {summary['indexed_faces']} faces indexed, "
        f"{summary['no_face']} without a face, {summary['skipped']} already done, "
        f"{summary['errors']} errors (progress in {state_path})"
    )
    return 1 if summary["errors"] else 0


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
