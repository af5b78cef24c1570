"""A trained bot locale: intent classifier, scope model and slot tagger, serialisable to bytes.

The bytes hold two parts: what the runtime loads (the networks, the scope model and the
sample-utterance vectors it compares with) and the encoding cache the next build of the same
locale starts from (``cache``), which the runtime never reads.
"""

from __future__ import annotations

import hashlib
import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from sensorium.models.nlu import intents as intent_model
from sensorium.models.nlu import tagger as tagger_model
from sensorium.models.nlu.augment import Example
from sensorium.models.nlu.background import BACKGROUND
from sensorium.models.nlu.cache import EncodingCache, Key
from sensorium.models.nlu.encoder import UtteranceEncoder
from sensorium.models.nlu.scope import ScopeModel, features
from sensorium.models.nlu.words import split_words

BACKGROUND_LABEL = "__background__"
# A background sentence at least this similar to one of the bot's own examples is dropped.
BACKGROUND_OVERLAP = 0.6
# The tagger learns from every utterance with a slot value and at most this many without.
TAGGER_PLAIN_EXAMPLES = 1000
FORMAT_VERSION = 2
_MAGIC = b"LXN2"
_HEADER = struct.Struct(">4sQ")  # magic, length of the runtime part

Array = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Span:
    slot: str
    text: str  # as the user wrote it
    start: int  # character offsets
    end: int


@dataclass(frozen=True)
class Parse:
    # Every intent, most probable first. The first score is the calibrated probability that
    # it is what was meant (the scope model's); the others keep their ratio to it.
    intents: list[tuple[str, float]]
    out_of_scope: float  # 1 - the first score
    spans: list[Span]

    def falls_back(self, threshold: float) -> bool:
        """AWS's rule: FallbackIntent when no intent's confidence reaches the threshold."""
        return not self.intents or self.intents[0][1] < threshold


@dataclass(frozen=True)
class BuildReport:
    examples: int
    encoded: int  # distinct utterances run through the encoder by this build
    reused: int  # distinct utterances whose vectors came from the previous build
    tagger_trained: bool  # False when the slot examples had not changed (or there are none)


class NluPipeline:
    def __init__(
        self,
        intent_names: list[str],
        tag_names: list[str],
        classifier: intent_model.IntentNetwork,
        tagger: tagger_model.TaggerNetwork | None,
        temperature: float,
        scope: ScopeModel | None,
        bank: Array,
        bank_labels: npt.NDArray[np.int64],
        tagger_key: str = "",
        cache: EncodingCache | None = None,
        report: BuildReport | None = None,
    ) -> None:
        self.intent_names = intent_names
        self.tag_names = tag_names
        self.classifier = classifier
        self.tagger = tagger
        self.temperature = temperature
        self.scope = scope
        self.bank = bank  # the sample utterances' vectors (scope model: closeness)
        self.bank_labels = bank_labels
        self.tagger_key = tagger_key  # what the tagger learnt from (reused when unchanged)
        self.cache = cache or EncodingCache()
        self.report = report

    @classmethod
    def train(
        cls,
        examples: Sequence[Example],
        encoder: UtteranceEncoder,
        seed: int = 0,
        previous: NluPipeline | None = None,
    ) -> NluPipeline:
        """Train on ``examples``; vectors and a tagger ``previous`` has are reused."""
        intent_names = sorted({e.intent for e in examples})
        slots = sorted({t[2:] for e in examples for t in e.tags if t != "O"})
        tag_names = ["O"] + [f"{p}-{s}" for s in slots for p in ("B", "I")]
        tagged = _tagger_examples(examples) if slots else []
        background_keys = [tuple(w.text for w in split_words(s)) for s in BACKGROUND]
        keys: list[Key] = [e.words for e in examples] + background_keys
        wanted = set(tagged)
        with_words = [i in wanted for i in range(len(examples))] + [False] * len(BACKGROUND)
        old = previous.cache if previous is not None else EncodingCache()
        cache = EncodingCache(dict(old.sentences), dict(old.words))
        sentences, words = cache.encode(encoder, keys, with_words)
        own, candidates = sentences[: len(examples)], sentences[len(examples) :]
        overlap = (candidates @ own.T).max(axis=1) if len(own) else np.zeros(len(candidates))
        background = candidates[overlap < BACKGROUND_OVERLAP]
        x = np.concatenate([own, background])
        index = {name: i for i, name in enumerate(intent_names)}
        own_labels = np.array([index[e.intent] for e in examples], dtype=np.int64)
        labels = np.concatenate([own_labels, np.full(len(background), len(intent_names))])
        groups = np.array(
            [e.group for e in examples] + [-1 - i for i in range(len(background))], np.int64
        )
        # The background counts as much as an average intent, however many sentences it has.
        weights = np.ones(len(labels), np.float32)
        if len(background):
            weights[len(examples) :] = len(examples) / len(intent_names) / len(background)
        classifier, temperature, scope = intent_model.calibrated_fit(
            x, labels.astype(np.int64), groups, len(intent_names) + 1, seed, weights
        )
        tag_index = {name: i for i, name in enumerate(tag_names)}
        tagger_key = _digest(tag_names, [examples[i] for i in tagged], seed)
        tagger: tagger_model.TaggerNetwork | None = None
        retrained = False
        if tagged and previous is not None and previous.tagger_key == tagger_key:
            tagger = previous.tagger
        elif tagged:
            tags = [[tag_index[t] for t in examples[i].tags] for i in tagged]
            vectors = [words[i] for i in tagged]
            tagger = tagger_model.fit(
                [v for v in vectors if v is not None], tags, len(tag_names), seed
            )
            retrained = True
        cache.keep_only(set(keys), {keys[i] for i in tagged})
        report = BuildReport(len(examples), cache.encoded, cache.reused, retrained)
        return cls(
            intent_names, tag_names, classifier, tagger, temperature, scope, own, own_labels,
            tagger_key, cache, report,
        )  # fmt: skip

    def parse(self, text: str, encoder: UtteranceEncoder) -> Parse:
        return self.parse_many([text], encoder)[0]

    def confidences(self, sentences: Array) -> tuple[Array, Array]:
        """Per sentence: the intents' probabilities (temperature-scaled softmax, background
        last) and the calibrated probability that the top intent is right."""
        with torch.no_grad():
            logits = self.classifier(torch.from_numpy(sentences)).numpy()
        scaled = logits / self.temperature
        shifted = np.exp(scaled - scaled.max(axis=1, keepdims=True))
        probabilities: Array = shifted / shifted.sum(axis=1, keepdims=True)
        if self.scope is None:
            return probabilities, probabilities[:, :-1].max(axis=1)
        x = features(logits, self.temperature, sentences, self.bank, self.bank_labels)
        right = self.scope.probability(x)
        return probabilities, right

    def parse_many(self, texts: Sequence[str], encoder: UtteranceEncoder) -> list[Parse]:
        split = [split_words(text) for text in texts]
        encoded = encoder.encode([[w.text for w in words] for words in split])
        probabilities, right = self.confidences(encoded.sentences)
        parses = []
        for row, (text, words) in enumerate(zip(texts, split, strict=True)):
            ranked = sorted(
                ((name, float(probabilities[row, i])) for i, name in enumerate(self.intent_names)),
                key=lambda pair: -pair[1],
            )
            confidence = float(right[row])
            ratio = confidence / max(ranked[0][1], 1e-9)
            scaled = [(name, min(1.0, p * ratio)) for name, p in ranked]
            spans = self._spans(text, words, encoded.words[row])
            parses.append(Parse(scaled, 1.0 - confidence, spans))
        return parses

    def _spans(self, text: str, words: list[Any], vectors: np.ndarray[Any, Any]) -> list[Span]:
        if not words or self.tagger is None:
            return []
        with torch.no_grad():
            predicted = self.tagger(torch.from_numpy(vectors).unsqueeze(0))[0].argmax(-1)
        spans = []
        for slot, first, last in tagger_model.decode(self.tag_names, predicted.tolist()):
            start, end = words[first].start, words[last - 1].end
            spans.append(Span(slot, text[start:end], start, end))
        return spans

    def to_bytes(self) -> bytes:
        runtime = _save(
            {
                "format": FORMAT_VERSION,
                "intents": self.intent_names,
                "tags": self.tag_names,
                "temperature": self.temperature,
                "classifier": self.classifier.state_dict(),
                "tagger": None if self.tagger is None else self.tagger.state_dict(),
                "tagger_key": self.tagger_key,
                "scope": None if self.scope is None else self.scope.to_state(),
                "bank": torch.from_numpy(self.bank.astype(np.float16)),
                "bank_labels": torch.from_numpy(self.bank_labels),
            }
        )
        return _HEADER.pack(_MAGIC, len(runtime)) + runtime + _save(self.cache.to_state())

    @classmethod
    def from_bytes(cls, data: bytes, dimension: int, with_cache: bool = False) -> NluPipeline:
        """The runtime part; the encoding cache too with ``with_cache`` (for a rebuild)."""
        magic, length = _HEADER.unpack_from(data) if len(data) >= _HEADER.size else (b"", 0)
        if magic != _MAGIC:
            raise ValueError("this model was built by another version; build the locale again")
        start = _HEADER.size
        saved = _load(data[start : start + length])
        classifier = intent_model.IntentNetwork(dimension, len(saved["intents"]) + 1)
        classifier.load_state_dict(saved["classifier"])
        classifier.eval()
        tagger = None
        if saved["tagger"] is not None:
            tagger = tagger_model.TaggerNetwork(dimension, len(saved["tags"]))
            tagger.load_state_dict(saved["tagger"])
            tagger.eval()
        scope = None if saved["scope"] is None else ScopeModel.from_state(saved["scope"])
        cache = EncodingCache.from_state(_load(data[start + length :])) if with_cache else None
        return cls(
            saved["intents"], saved["tags"], classifier, tagger, saved["temperature"], scope,
            saved["bank"].float().numpy(), saved["bank_labels"].numpy(), saved["tagger_key"],
            cache,
        )  # fmt: skip


def _save(state: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def _load(data: bytes) -> dict[str, Any]:
    loaded: dict[str, Any] = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    return loaded


def _tagger_examples(examples: Sequence[Example]) -> list[int]:
    """Every example with a slot value, and evenly spread ones without, up to a bound."""
    slotted = [i for i, e in enumerate(examples) if any(t != "O" for t in e.tags)]
    plain = [i for i, e in enumerate(examples) if all(t == "O" for t in e.tags)]
    step = max(1, -(-len(plain) // TAGGER_PLAIN_EXAMPLES))
    return sorted(slotted + plain[::step])


def _digest(tag_names: list[str], examples: Sequence[Example], seed: int) -> str:
    text = repr((tagger_model.VERSION, tag_names, [(e.words, e.tags) for e in examples], seed))
    return hashlib.sha256(text.encode()).hexdigest()
