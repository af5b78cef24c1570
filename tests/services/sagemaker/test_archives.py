"""Script mode's archives: what a source directory or a model may hold, and what is refused
before anything lands outside the folder it is unpacked into."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from sensorium.services.sagemaker import archives


def archive(*members: tuple[tarfile.TarInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as out:
        for info, data in members:
            info.size = len(data) if info.isfile() else 0
            out.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return buffer.getvalue()


def entry(name: str, kind: bytes = tarfile.REGTYPE, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def test_files_and_folders_are_unpacked(tmp_path: Path) -> None:
    data = archive(
        (entry("./pkg", tarfile.DIRTYPE), b""),
        (entry("./pkg/model.py"), b"WIDTH = 3\n"),
        (entry("train.py"), b"print('hi')\n"),
    )
    archives.unpack(data, tmp_path)
    assert (tmp_path / "pkg" / "model.py").read_text() == "WIDTH = 3\n"
    assert (tmp_path / "train.py").is_file()


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (entry("../escaped.py"), "outside its folder"),
        (entry("/etc/escaped.py"), "outside its folder"),
        (entry("code/../../escaped.py"), "outside its folder"),
        (entry("link", tarfile.SYMTYPE, "/etc/passwd"), "link or a special file"),
        (entry("hard", tarfile.LNKTYPE, "train.py"), "link or a special file"),
        (entry("fifo", tarfile.FIFOTYPE), "link or a special file"),
    ],
    ids=["parent", "absolute", "nested-parent", "symlink", "hardlink", "fifo"],
)
def test_unsafe_members_are_refused(tmp_path: Path, member: tarfile.TarInfo, reason: str) -> None:
    target = tmp_path / "code"
    target.mkdir()
    data = archive((entry("train.py"), b"print('hi')\n"), (member, b"x"))
    with pytest.raises(archives.ArchiveError, match=reason):
        archives.unpack(data, target)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["code", "train.py"]


def test_an_archive_unpacking_beyond_the_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archives, "MAX_UNPACKED_BYTES", 1000)
    data = archive((entry("a.bin"), b"\0" * 600), (entry("b.bin"), b"\0" * 600))
    with pytest.raises(archives.ArchiveError, match="more than 1000 bytes"):
        archives.unpack(data, tmp_path)
    assert not (tmp_path / "b.bin").exists()


def test_garbage_is_not_an_archive(tmp_path: Path) -> None:
    with pytest.raises(archives.ArchiveError, match="not a readable tar"):
        archives.unpack(b"certainly not gzip", tmp_path)


def test_packing_leaves_links_out(tmp_path: Path) -> None:
    (tmp_path / "model.pth").write_bytes(b"weights")
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "inference.py").write_text("x = 1\n")
    (tmp_path / "secrets").symlink_to("/etc/passwd")
    with tarfile.open(fileobj=io.BytesIO(archives.pack(tmp_path, 10**6))) as packed:
        assert sorted(packed.getnames()) == ["code", "code/inference.py", "model.pth"]
    with pytest.raises(archives.ArchiveError, match="more than 3 bytes"):
        archives.pack(tmp_path, 3)
