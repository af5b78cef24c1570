"""BuildBotLocale: snapshot the locale's definition and train its networks in the job pool.

A locale is Building while a worker trains it, then Built (the model row written) or Failed
with reasons the caller can act on. A build interrupted by a restart is run again (builds are
deterministic, so the result is the same).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from sensorium.context import RequestContext
from sensorium.errors import ServiceError
from sensorium.models.nlu.augment import Example, expand, slot_references
from sensorium.models.nlu.builtins import TRAINING_SAMPLES
from sensorium.models.nlu.encoder import UtteranceEncoder
from sensorium.models.nlu.pipeline import NluPipeline
from sensorium.operations import Params
from sensorium.services.lex import store
from sensorium.services.lex.definitions import find_locale, require_locale
from sensorium.services.lex.store import FALLBACK_INTENT_ID, Place
from sensorium.services.lex.tables import LexModel, LexResource
from sensorium.storage.database import Database

log = logging.getLogger(__name__)

SEED = 0
# Sample utterances are expanded (slot references filled) up to about this many examples.
TARGET_EXAMPLES = 2400
MAX_PER_UTTERANCE = 12


class BuildFailed(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class BuildJob:
    account_id: str
    region: str
    place: Place

    @property
    def ctx(self) -> RequestContext:
        return RequestContext("build", self.account_id, self.region)


class BuildService:
    def __init__(
        self,
        db: Database,
        encoder: Callable[[], UtteranceEncoder],
        submit: Callable[[BuildJob], Any],
    ) -> None:
        self.db = db
        self.encoder = encoder
        self.submit = submit

    def start(self, ctx: RequestContext, place: Place) -> Params:
        with self.db.transaction() as session:
            locale = require_locale(session, ctx, place)
            if locale.body.get("botLocaleStatus") == "Building":
                raise ServiceError("ConflictException", "The locale is already being built.")
            submitted = store.now()
            body = {
                **locale.body,
                "botLocaleStatus": "Building",
                "lastBuildSubmittedDateTime": submitted.isoformat(),
            }
            body.pop("failureReasons", None)
            store.save(locale, body)
        self.submit(BuildJob(ctx.account_id, ctx.region, place))
        return {
            "botId": place.bot_id,
            "botVersion": place.bot_version,
            "localeId": place.locale_id,
            "botLocaleStatus": "Building",
            "lastBuildSubmittedDateTime": submitted,
        }

    def recover(self) -> None:
        with self.db.reading() as session:
            rows = list(session.scalars(select(LexResource).where(LexResource.kind == "locale")))
        for row in rows:
            if row.body.get("botLocaleStatus") == "Building":
                log.info("rebuilding locale %s of bot %s after a restart", row.name, row.bot_id)
                place = Place(row.bot_id, row.bot_version, row.resource_id)
                self.submit(BuildJob(row.account_id, row.region, place))

    def run(self, job: BuildJob) -> None:
        try:
            definition = self._snapshot(job)
            examples = training_examples(definition)
            pipeline = NluPipeline.train(examples, self.encoder(), seed=SEED)
            self._finish(job, definition, pipeline.to_bytes(), None)
        except BuildFailed as failure:
            self._finish(job, None, None, failure.reasons)
        except Exception as error:
            log.exception("build of %s failed", job.place)
            self._finish(job, None, None, [f"Internal error while training: {error}"])

    def _snapshot(self, job: BuildJob) -> dict[str, Any]:
        ctx, place = job.ctx, job.place
        with self.db.reading() as session:
            locale = require_locale(session, ctx, place)
            types = {
                r.resource_id: r.body for r in store.children(session, ctx, "slot_type", place)
            }
            intents = {}
            for row in store.children(session, ctx, "intent", place):
                slot_place = Place(
                    place.bot_id, place.bot_version, place.locale_id, row.resource_id
                )
                slots = {
                    s.name: {"slotId": s.resource_id, **s.body}
                    for s in store.children(session, ctx, "slot", slot_place)
                }
                intents[row.name] = {"intentId": row.resource_id, **row.body, "slots": slots}
        definition = {
            "threshold": locale.body.get("nluIntentConfidenceThreshold", 0.4),
            "voiceSettings": locale.body.get("voiceSettings"),
            "intents": intents,
            "slotTypes": types,
        }
        problems = validate(definition)
        if problems:
            raise BuildFailed(problems)
        return definition

    def _finish(
        self,
        job: BuildJob,
        definition: dict[str, Any] | None,
        weights: bytes | None,
        reasons: list[str] | None,
    ) -> None:
        ctx, place = job.ctx, job.place
        with self.db.transaction() as session:
            locale = find_locale(session, ctx, place)
            if locale is None:
                return  # deleted while building
            body = dict(locale.body)
            if reasons:
                body.update(botLocaleStatus="Failed", failureReasons=reasons)
                store.save(locale, body)
                return
            assert definition is not None and weights is not None
            model = session.scalars(
                select(LexModel).filter_by(
                    account_id=ctx.account_id,
                    region=ctx.region,
                    bot_id=place.bot_id,
                    bot_version=place.bot_version,
                    locale_id=place.locale_id,
                )
            ).first()
            if model is None:
                model = LexModel(
                    account_id=ctx.account_id,
                    region=ctx.region,
                    bot_id=place.bot_id,
                    bot_version=place.bot_version,
                    locale_id=place.locale_id,
                )
                session.add(model)
            model.definition = definition
            model.weights = weights
            model.built_at = store.now()
            body.update(botLocaleStatus="Built")
            store.save(locale, body)


def validate(definition: dict[str, Any]) -> list[str]:
    problems = []
    trained = [
        name
        for name, intent in definition["intents"].items()
        if intent["intentId"] != FALLBACK_INTENT_ID and intent.get("sampleUtterances")
    ]
    if not trained:
        problems.append(
            "The locale has no intent with sample utterances besides FallbackIntent; add at "
            "least one intent with sample utterances before building."
        )
    for name, intent in definition["intents"].items():
        for sample in intent.get("sampleUtterances") or []:
            for ref in slot_references(sample["utterance"]):
                if ref not in intent["slots"]:
                    problems.append(
                        f"Intent {name}: sample utterance '{sample['utterance']}' references "
                        f"slot {{{ref}}}, which the intent does not have."
                    )
        for slot_name, slot in intent["slots"].items():
            type_id = slot["slotTypeId"]
            if type_id not in TRAINING_SAMPLES and type_id not in definition["slotTypes"]:
                problems.append(f"Intent {name}: slot {slot_name} uses a deleted slot type.")
    return problems


def slot_fillers(definition: dict[str, Any], intent: dict[str, Any]) -> dict[str, list[str]]:
    fillers = {}
    for slot_name, slot in intent["slots"].items():
        type_id = slot["slotTypeId"]
        if type_id in TRAINING_SAMPLES:
            fillers[slot_name] = TRAINING_SAMPLES[type_id]
            continue
        forms: list[str] = []
        for value in definition["slotTypes"][type_id].get("slotTypeValues", []):
            sample = value.get("sampleValue", {}).get("value")
            forms.extend([sample] if sample else [])
            forms.extend(s["value"] for s in value.get("synonyms") or [])
        fillers[slot_name] = forms
    return fillers


def training_examples(definition: dict[str, Any]) -> list[Example]:
    rng = random.Random(SEED)
    intents = [
        (name, intent)
        for name, intent in sorted(definition["intents"].items())
        if intent["intentId"] != FALLBACK_INTENT_ID
    ]
    total = sum(len(intent.get("sampleUtterances") or []) for _, intent in intents)
    per_utterance = max(1, min(MAX_PER_UTTERANCE, TARGET_EXAMPLES // max(total, 1)))
    examples: list[Example] = []
    group = 0
    for name, intent in intents:
        fillers = slot_fillers(definition, intent)
        for sample in intent.get("sampleUtterances") or []:
            examples.extend(expand(name, sample["utterance"], group, fillers, per_utterance, rng))
            group += 1
    return examples
