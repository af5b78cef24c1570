"""BuildBotLocale: snapshot the locale's definition and train its networks as a durable job.

The locale's body shows the build as Lex does: Building from the request until the job
ends, then Built (the model row written in the same transaction) or Failed with reasons the
caller can act on. Retries, and builds interrupted by a restart, are the job system's
business; builds are deterministic, so a rerun gives the same networks.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sensorium.context import RequestContext, Scope
from sensorium.jobs import JobFailed, JobKind, JobRow, JobSystem, RunningJob
from sensorium.models.nlu.augment import Example, expand, slot_references
from sensorium.models.nlu.builtins import TRAINING_SAMPLES
from sensorium.models.nlu.encoder import UtteranceEncoder
from sensorium.models.nlu.pipeline import BuildReport, NluPipeline
from sensorium.operations import Params
from sensorium.services.lex import store
from sensorium.services.lex.errors import ConflictException
from sensorium.services.lex.store import FALLBACK_INTENT_ID, Place
from sensorium.services.lex.tables import LexModel, LexResource
from sensorium.storage.database import Database
from sensorium.storage.owned import utcnow

log = logging.getLogger(__name__)

KIND = "lex.build"  # resource key: "BOT/VERSION/LOCALE" (Place.build_key)
SEED = 0
# Sample utterances are expanded (slot references filled) up to about this many examples.
TARGET_EXAMPLES = 2400
MAX_PER_UTTERANCE = 12
# failureReasons travel as one job failure reason, a line each.
_REASONS_SEPARATOR = "\n"


@dataclass(frozen=True)
class Trained:
    definition: dict[str, Any]
    weights: bytes
    report: BuildReport


class BuildService:
    def __init__(
        self, db: Database, jobs: JobSystem, encoder: Callable[[], UtteranceEncoder]
    ) -> None:
        self.db = db
        self.jobs = jobs
        self.encoder = encoder
        jobs.register(BuildKind(self))

    def start(self, ctx: RequestContext, place: Place) -> Params:
        with self.db.transaction(ctx.scope) as session:
            locale = store.require_locale(session, place)
            if locale.body.get("botLocaleStatus") == "Building":
                raise ConflictException("The locale is already being built.")
            submitted = utcnow()
            body = {
                **locale.body,
                "botLocaleStatus": "Building",
                "lastBuildSubmittedDateTime": submitted.isoformat(),
            }
            body.pop("failureReasons", None)
            store.save(locale, body)
            self.jobs.submit(session, KIND, ctx.scope, place.build_key)
        return {
            "botId": place.bot_id,
            "botVersion": place.bot_version,
            "localeId": place.locale_id,
            "botLocaleStatus": "Building",
            "lastBuildSubmittedDateTime": submitted,
        }

    def cancel_below(self, session: Session, place: Place) -> None:
        """Cancel the unfinished builds of every locale under ``place`` (a bot, a version
        or one locale), in the transaction that deletes them."""
        if place.locale_id:
            keys = [place.build_key]
        else:
            locales = store.children(session, "locale", place, exact=False)
            keys = [
                Place(row.bot_id, row.bot_version, row.resource_id).build_key for row in locales
            ]
        for key in keys:
            self.jobs.cancel(session, KIND, key)

    # Running (called by the job kind)

    def train(self, job: RunningJob) -> Trained:
        place = Place.of_build(job.resource)
        definition = self.snapshot(job.scope, place)
        previous = self.previous(job.scope, place)
        job.check()
        examples = training_examples(definition)
        encoder = self.encoder()
        pipeline = NluPipeline.train(examples, encoder, seed=SEED, previous=previous)
        job.check()
        report = pipeline.report
        assert report is not None
        log.info(
            "lex build %s: %d examples, %d utterances encoded, %d from the previous build's "
            "cache, tagger %s",
            job.resource,
            report.examples,
            report.encoded,
            report.reused,
            "trained" if report.tagger_trained else "reused or not needed",
        )
        return Trained(definition, pipeline.to_bytes(), report)

    def previous(self, scope: Scope, place: Place) -> NluPipeline | None:
        """The locale's last built model, whose encoding cache and tagger a build reuses."""
        with self.db.reading(scope) as session:
            weights = session.scalar(
                select(LexModel.weights).filter_by(
                    bot_id=place.bot_id, bot_version=place.bot_version, locale_id=place.locale_id
                )
            )
        if weights is None:
            return None
        try:
            return NluPipeline.from_bytes(weights, self.encoder().dimension, with_cache=True)
        except ValueError:  # built by another version: start afresh
            return None

    def snapshot(self, scope: Scope, place: Place) -> dict[str, Any]:
        """The locale's definition as the runtime serves it; ``JobFailed`` if it cannot be
        built."""
        with self.db.reading(scope) as session:
            locale = store.find_locale(session, place)
            if locale is None:
                raise JobFailed("The locale was deleted while it was being built.")
            definition = {
                "threshold": locale.body.get("nluIntentConfidenceThreshold", 0.4),
                "voiceSettings": locale.body.get("voiceSettings"),
                "intents": _intents(session, place),
                "slotTypes": {
                    row.resource_id: row.body for row in store.children(session, "slot_type", place)
                },
            }
        problems = validate(definition)
        if problems:
            raise JobFailed(_REASONS_SEPARATOR.join(problems))
        return definition


def _intents(session: Session, place: Place) -> dict[str, Any]:
    intents = {}
    for row in store.children(session, "intent", place):
        slot_place = Place(place.bot_id, place.bot_version, place.locale_id, row.resource_id)
        slots = {
            slot.name: {"slotId": slot.resource_id, **slot.body}
            for slot in store.children(session, "slot", slot_place)
        }
        intents[row.name] = {"intentId": row.resource_id, **row.body, "slots": slots}
    return intents


class BuildKind(JobKind[Trained]):
    """Trains a locale in ``run``; the hooks mirror the job into the locale's status."""

    name = KIND
    accelerated = True  # encoding every training example

    def __init__(self, service: BuildService) -> None:
        self.service = service

    def run(self, job: RunningJob) -> Trained:
        return self.service.train(job)

    def succeeded(self, session: Session, job: JobRow, outcome: Trained) -> dict[str, Any] | None:
        place = Place.of_build(job.resource)
        locale = store.find_locale(session, place)
        if locale is None:
            return None  # deleted while building
        model = session.scalars(
            select(LexModel).filter_by(
                bot_id=place.bot_id, bot_version=place.bot_version, locale_id=place.locale_id
            )
        ).first()
        if model is None:
            model = LexModel(
                bot_id=place.bot_id, bot_version=place.bot_version, locale_id=place.locale_id
            )
            session.add(model)
        model.definition = outcome.definition
        model.weights = outcome.weights
        model.built_at = utcnow()
        _set_status(locale, "Built")
        report = outcome.report
        return {
            "intents": len(outcome.definition["intents"]),
            "examples": report.examples,
            "encoded": report.encoded,
            "reused": report.reused,
            "taggerTrained": report.tagger_trained,
        }

    def failed(self, session: Session, job: JobRow, reason: str) -> None:
        locale = store.find_locale(session, Place.of_build(job.resource))
        if locale is not None:
            _set_status(locale, "Failed", reason.split(_REASONS_SEPARATOR))

    def requeued(self, session: Session, job: JobRow) -> None:
        """Another attempt follows: the locale stays Building."""

    def cancelled(self, session: Session, job: JobRow) -> None:
        # Builds are cancelled when their locale is deleted; one that outlives a cancel
        # must not stay Building for ever.
        locale = store.find_locale(session, Place.of_build(job.resource))
        if locale is not None and locale.body.get("botLocaleStatus") == "Building":
            _set_status(locale, "NotBuilt")


def _set_status(locale: LexResource, status: str, reasons: list[str] | None = None) -> None:
    body = {**locale.body, "botLocaleStatus": status}
    body.pop("failureReasons", None)
    if reasons:
        body["failureReasons"] = reasons
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
