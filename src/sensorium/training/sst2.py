"""The SST-2 phrase data: ``sentence<TAB>label`` files with a header line."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Examples:
    texts: list[str]
    labels: list[int]  # 1 positive, 0 negative

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: list[int]) -> Examples:
        return Examples([self.texts[i] for i in indices], [self.labels[i] for i in indices])


def read_split(path: Path) -> Examples:
    texts, labels = [], []
    with path.open(encoding="utf-8") as lines:
        header = next(lines).rstrip("\n").split("\t")
        if header != ["sentence", "label"]:
            raise ValueError(f"{path}: expected a 'sentence<TAB>label' header, got {header}")
        for number, line in enumerate(lines, start=2):
            text, _, label = line.rstrip("\n").rpartition("\t")
            if label not in ("0", "1") or not text.strip():
                raise ValueError(f"{path}:{number}: malformed line")
            texts.append(text.strip())
            labels.append(int(label))
    return Examples(texts, labels)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
