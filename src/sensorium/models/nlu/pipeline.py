"""A trained bot locale: intent classifier + slot tagger, serialisable to bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from sensorium.models.nlu import intents as intent_model
from sensorium.models.nlu import tagger as tagger_model
from sensorium.models.nlu.augment import Example
from sensorium.models.nlu.background import BACKGROUND
from sensorium.models.nlu.encoder import UtteranceEncoder
from sensorium.models.nlu.words import split_words

BACKGROUND_LABEL = "__background__"
# A background sentence at least this similar to one of the bot's own examples is dropped.
BACKGROUND_OVERLAP = 0.6
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Span:
    slot: str
    text: str  # as the user wrote it
    start: int  # character offsets
    end: int


@dataclass(frozen=True)
class Parse:
    intents: list[tuple[str, float]]  # every intent, most probable first (calibrated)
    out_of_scope: float  # probability that none of the bot's intents was meant
    spans: list[Span]


class NluPipeline:
    def __init__(
        self,
        intent_names: list[str],
        tag_names: list[str],
        classifier: intent_model.IntentNetwork,
        tagger: tagger_model.TaggerNetwork,
        temperature: float,
    ) -> None:
        self.intent_names = intent_names
        self.tag_names = tag_names
        self.classifier = classifier
        self.tagger = tagger
        self.temperature = temperature

    @classmethod
    def train(
        cls, examples: Sequence[Example], encoder: UtteranceEncoder, seed: int = 0
    ) -> NluPipeline:
        intent_names = sorted({e.intent for e in examples})
        slots = sorted({t[2:] for e in examples for t in e.tags if t != "O"})
        tag_names = ["O"] + [f"{p}-{s}" for s in slots for p in ("B", "I")]
        features = encoder.encode([e.words for e in examples])
        background = _background(encoder, features.sentences)
        x = np.concatenate([features.sentences, background])
        index = {name: i for i, name in enumerate(intent_names)}
        labels = np.array(
            [index[e.intent] for e in examples] + [len(intent_names)] * len(background),
            dtype=np.int64,
        )
        groups = np.array(
            [e.group for e in examples] + [-1 - i for i in range(len(background))], np.int64
        )
        # The background counts as much as an average intent, however many sentences it has.
        weights = np.ones(len(labels), np.float32)
        if len(background):
            weights[len(examples) :] = len(examples) / len(intent_names) / len(background)
        classifier, temperature = intent_model.calibrated_fit(
            x, labels, groups, len(intent_names) + 1, seed, weights
        )
        tag_index = {name: i for i, name in enumerate(tag_names)}
        tags = [[tag_index[t] for t in e.tags] for e in examples]
        tagger = tagger_model.fit(features.words, tags, len(tag_names), seed)
        return cls(intent_names, tag_names, classifier, tagger, temperature)

    def parse(self, text: str, encoder: UtteranceEncoder) -> Parse:
        return self.parse_many([text], encoder)[0]

    def parse_many(self, texts: Sequence[str], encoder: UtteranceEncoder) -> list[Parse]:
        split = [split_words(text) for text in texts]
        features = encoder.encode([[w.text for w in words] for words in split])
        with torch.no_grad():
            logits = self.classifier(torch.from_numpy(features.sentences))
            probabilities = torch.softmax(logits / self.temperature, dim=-1).numpy()
        parses = []
        for row, (text, words) in enumerate(zip(texts, split, strict=True)):
            ranked = sorted(
                ((name, float(probabilities[row, i])) for i, name in enumerate(self.intent_names)),
                key=lambda pair: -pair[1],
            )
            spans = self._spans(text, words, features.words[row])
            parses.append(Parse(ranked, float(probabilities[row, -1]), spans))
        return parses

    def _spans(self, text: str, words: list[Any], vectors: np.ndarray[Any, Any]) -> list[Span]:
        if not words:
            return []
        with torch.no_grad():
            predicted = self.tagger(torch.from_numpy(vectors).unsqueeze(0))[0].argmax(-1)
        spans = []
        for slot, first, last in tagger_model.decode(self.tag_names, predicted.tolist()):
            start, end = words[first].start, words[last - 1].end
            spans.append(Span(slot, text[start:end], start, end))
        return spans

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        torch.save(
            {
                "format": FORMAT_VERSION,
                "intents": self.intent_names,
                "tags": self.tag_names,
                "temperature": self.temperature,
                "classifier": self.classifier.state_dict(),
                "tagger": self.tagger.state_dict(),
            },
            buffer,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, dimension: int) -> NluPipeline:
        saved = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        if saved.get("format") != FORMAT_VERSION:
            raise ValueError("this model was built by another version; build the locale again")
        classifier = intent_model.IntentNetwork(dimension, len(saved["intents"]) + 1)
        classifier.load_state_dict(saved["classifier"])
        tagger = tagger_model.TaggerNetwork(dimension, len(saved["tags"]))
        tagger.load_state_dict(saved["tagger"])
        classifier.eval()
        tagger.eval()
        return cls(saved["intents"], saved["tags"], classifier, tagger, saved["temperature"])


def _background(encoder: UtteranceEncoder, own: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    sentences = encoder.encode([[w.text for w in split_words(s)] for s in BACKGROUND]).sentences
    overlap = (sentences @ own.T).max(axis=1) if len(own) else np.zeros(len(sentences))
    kept: np.ndarray[Any, Any] = sentences[overlap < BACKGROUND_OVERLAP]
    return kept
