"""Polly operations: modelled input dict in, modelled output dict out."""

from __future__ import annotations

from sensorium.context import RequestContext
from sensorium.operations import OperationRegistry, Params
from sensorium.services.polly.catalog import VoiceCatalog
from sensorium.services.polly.errors import InvalidNextTokenException
from sensorium.services.polly.lexicons import LexiconStore
from sensorium.services.polly.synthesis import Synthesizer
from sensorium.services.polly.tables import PollyLexicon
from sensorium.services.polly.tasks import TaskService, describe
from sensorium.storage.owned import aware

SERVICE = "polly"


def register(
    registry: OperationRegistry,
    catalog: VoiceCatalog,
    lexicons: LexiconStore,
    synthesizer: Synthesizer,
    tasks: TaskService,
) -> None:
    @registry.handler(SERVICE, "DescribeVoices")
    def describe_voices(ctx: RequestContext, params: Params) -> Params:
        if params.get("NextToken"):
            raise InvalidNextTokenException("DescribeVoices has one page.")
        language = params.get("LanguageCode")
        engine = params.get("Engine")
        voices = []
        for listed in catalog.listed:
            languages = [listed.language]
            if params.get("IncludeAdditionalLanguageCodes"):
                languages.extend(listed.additional_languages)
            if language not in (None, *languages) or engine not in (None, *listed.engines):
                continue
            voice: Params = {
                "Id": listed.polly_id,
                "Name": listed.name,
                "LanguageCode": listed.language,
                "LanguageName": listed.language_name,
                "SupportedEngines": listed.supported_engines,
            }
            if listed.gender:
                voice["Gender"] = listed.gender
            if listed.additional_languages:
                voice["AdditionalLanguageCodes"] = list(listed.additional_languages)
            voices.append(voice)
        return {"Voices": voices}

    @registry.handler(SERVICE, "SynthesizeSpeech")
    def synthesize_speech(ctx: RequestContext, params: Params) -> Params:
        prepared = synthesizer.prepare(ctx, params)
        return {
            "AudioStream": synthesizer.stream(prepared),
            "ContentType": prepared.content_type,
            "RequestCharacters": prepared.billed,
        }

    @registry.handler(SERVICE, "PutLexicon")
    def put_lexicon(ctx: RequestContext, params: Params) -> Params:
        lexicons.put(ctx, params["Name"], params["Content"])
        return {}

    @registry.handler(SERVICE, "GetLexicon")
    def get_lexicon(ctx: RequestContext, params: Params) -> Params:
        row = lexicons.get(ctx, params["Name"])
        return {
            "Lexicon": {"Content": row.content, "Name": row.name},
            "LexiconAttributes": _attributes(ctx, row),
        }

    @registry.handler(SERVICE, "ListLexicons")
    def list_lexicons(ctx: RequestContext, params: Params) -> Params:
        page = lexicons.page(ctx, params.get("NextToken"))
        return page.output(
            "Lexicons", lambda row: {"Name": row.name, "Attributes": _attributes(ctx, row)}
        )

    @registry.handler(SERVICE, "DeleteLexicon")
    def delete_lexicon(ctx: RequestContext, params: Params) -> Params:
        lexicons.delete(ctx, params["Name"])
        return {}

    @registry.handler(SERVICE, "StartSpeechSynthesisTask")
    def start_task(ctx: RequestContext, params: Params) -> Params:
        row = tasks.start(ctx, params)
        return {"SynthesisTask": describe(row, tasks.output_url(ctx, row))}

    @registry.handler(SERVICE, "GetSpeechSynthesisTask")
    def get_task(ctx: RequestContext, params: Params) -> Params:
        row = tasks.get(ctx, params["TaskId"])
        return {"SynthesisTask": describe(row, tasks.output_url(ctx, row))}

    @registry.handler(SERVICE, "ListSpeechSynthesisTasks")
    def list_tasks(ctx: RequestContext, params: Params) -> Params:
        page = tasks.page(
            ctx, params.get("Status"), params.get("MaxResults"), params.get("NextToken")
        )
        return page.output("SynthesisTasks", lambda row: describe(row, tasks.output_url(ctx, row)))


def _attributes(ctx: RequestContext, row: PollyLexicon) -> Params:
    return {
        "Alphabet": row.alphabet,
        "LanguageCode": row.language_code,
        "LastModified": aware(row.updated_at),
        "LexiconArn": ctx.arn("polly", f"lexicon/{row.name}"),
        "LexemesCount": row.lexemes_count,
        "Size": row.size,
    }
