"""The tar.gz archives of script mode: the caller's source directory, unpacked safely, and
the model and output folders, packed for S3."""

from __future__ import annotations

import io
import tarfile
import zlib
from pathlib import Path, PurePosixPath

MAX_UNPACKED_BYTES = 1024**3
MAX_MEMBERS = 10_000
CHUNK = 1024**2


class ArchiveError(ValueError):
    """The archive cannot be unpacked safely; the message says why."""


def safe_relative(name: str) -> PurePosixPath:
    """``name`` as a path that stays inside the folder it is unpacked or downloaded into."""
    path = PurePosixPath(name.replace("\\", "/"))
    parts = [part for part in path.parts if part not in ("", ".")]
    if path.is_absolute() or ".." in parts or not parts:
        raise ArchiveError(f"{name!r} would be written outside its folder")
    return PurePosixPath(*parts)


def unpack(data: bytes, target: Path) -> None:
    """Regular files and folders only (no links, devices or paths leaving ``target``), at
    most ``MAX_UNPACKED_BYTES`` in all: each member is checked, from its header, before it is
    written (the archive is read as a stream, so a bomb is never decompressed beyond that)."""
    written = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r|*") as archive:
            for count, member in enumerate(archive, start=1):
                if count > MAX_MEMBERS:
                    raise ArchiveError(f"it holds more than {MAX_MEMBERS} entries")
                if member.name in ("", ".", "./"):
                    continue
                relative = safe_relative(member.name)
                destination = target.joinpath(*relative.parts)
                if member.isdir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                if not member.isfile():
                    raise ArchiveError(f"{member.name!r} is a link or a special file")
                written += member.size
                if written > MAX_UNPACKED_BYTES:
                    raise ArchiveError(f"it unpacks to more than {MAX_UNPACKED_BYTES} bytes")
                destination.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                if source is None:  # pragma: no cover - regular files always have data
                    continue
                with destination.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        out.write(chunk)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise ArchiveError(f"it is not a readable tar.gz archive: {error}") from None


def pack(folder: Path, max_bytes: int) -> bytes:
    """The folder's regular files as a tar.gz (links are left out: they could point at
    anything on this machine)."""
    buffer = io.BytesIO()
    total = 0
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                continue
            if path.is_file():
                total += path.stat().st_size
                if total > max_bytes:
                    raise ArchiveError(f"{folder.name} holds more than {max_bytes} bytes")
            archive.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return buffer.getvalue()
