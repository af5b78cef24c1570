"""Training data as AWS documents it for COMPREHEND_CSV: one ``label,text`` row per
document, no header; a MULTI_LABEL row's labels joined by its LabelDelimiter (``|``)."""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from sensorium.models.text.custom_classifier import Array

MIN_DOCUMENTS_PER_LABEL = 10  # AWS's minimum for each label of the training data
MIN_LABELS = 2
MAX_LABELS = 1000
TEST_FRACTION = 0.1  # held out of the training data when no TestS3Uri is given
MAX_LABEL_CHARS = 5000


class BadTrainingData(ValueError):
    """The data cannot train a classifier; the message is the classifier's Message."""


@dataclass
class Documents:
    texts: list[str]
    labels: list[list[str]]  # each document's labels (one for MULTI_CLASS)

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: list[int]) -> Documents:
        return Documents([self.texts[i] for i in indices], [self.labels[i] for i in indices])

    def targets(self, names: list[str]) -> Array:
        """(documents, labels) 0/1 rows in the order of ``names``."""
        position = {name: i for i, name in enumerate(names)}
        rows = np.zeros((len(self.texts), len(names)), dtype=np.float32)
        for row, labels in enumerate(self.labels):
            for label in labels:
                rows[row, position[label]] = 1.0
        return rows


def parse_csv(data: bytes, where: str, multi_label: bool, delimiter: str) -> Documents:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadTrainingData(
            f"The training data at {where} is not UTF-8 text (byte {error.start})."
        ) from None
    documents = Documents([], [])
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != 2:
                raise BadTrainingData(
                    f"Line {number} of {where} has {len(row)} column(s); each line must be "
                    "two columns, label,text (quote a text that contains commas)."
                )
            label, document = row[0].strip(), row[1].strip()
            labels = [part.strip() for part in label.split(delimiter)] if multi_label else [label]
            if not document or not all(labels) or any(len(x) > MAX_LABEL_CHARS for x in labels):
                raise BadTrainingData(
                    f"Line {number} of {where} has an empty label or an empty document."
                )
            documents.texts.append(document)
            documents.labels.append(sorted(set(labels)))
    except csv.Error as error:
        raise BadTrainingData(f"The training data at {where} is not valid CSV: {error}") from None
    if not documents.texts:
        raise BadTrainingData(f"The training data at {where} holds no documents.")
    return documents


def label_names(training: Documents) -> list[str]:
    """The labels, checked against AWS's minimums."""
    counts: dict[str, int] = defaultdict(int)
    for labels in training.labels:
        for label in labels:
            counts[label] += 1
    if len(counts) < MIN_LABELS:
        raise BadTrainingData(
            f"The training data has {len(counts)} label(s); a classifier needs at least "
            f"{MIN_LABELS}."
        )
    if len(counts) > MAX_LABELS:
        raise BadTrainingData(f"The training data has {len(counts)} labels; at most {MAX_LABELS}.")
    scarce = sorted(label for label, count in counts.items() if count < MIN_DOCUMENTS_PER_LABEL)
    if scarce:
        raise BadTrainingData(
            f"Each label needs at least {MIN_DOCUMENTS_PER_LABEL} training documents; these "
            f"have fewer: {', '.join(scarce[:20])}."
        )
    return sorted(counts)


def hold_out(documents: Documents, seed: str) -> tuple[Documents, Documents]:
    """(training, test): 10 % of each label's documents held out (by first label)."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for index, labels in enumerate(documents.labels):
        by_label[labels[0]].append(index)
    shuffle = random.Random(seed)
    train: list[int] = []
    test: list[int] = []
    for label in sorted(by_label):
        indices = by_label[label]
        shuffle.shuffle(indices)
        count = max(1, round(len(indices) * TEST_FRACTION)) if len(indices) > 1 else 0
        test.extend(indices[:count])
        train.extend(indices[count:])
    return documents.subset(sorted(train)), documents.subset(sorted(test))
