"""Comprehend operations: modelled input dict in, modelled output dict out."""

from __future__ import annotations

from sensorium.context import RequestContext
from sensorium.operations import OperationRegistry, Params
from sensorium.services.comprehend.analysis import TextAnalysis

SERVICE = "comprehend"


def register(registry: OperationRegistry, analysis: TextAnalysis) -> None:
    @registry.handler(SERVICE, "DetectSentiment")
    def detect_sentiment(ctx: RequestContext, params: Params) -> Params:
        return analysis.detect_sentiment(params["Text"], params["LanguageCode"])

    @registry.handler(SERVICE, "BatchDetectSentiment")
    def batch_detect_sentiment(ctx: RequestContext, params: Params) -> Params:
        return analysis.batch_detect_sentiment(params["TextList"], params["LanguageCode"])

    @registry.handler(SERVICE, "DetectDominantLanguage")
    def detect_dominant_language(ctx: RequestContext, params: Params) -> Params:
        return analysis.detect_dominant_language(params["Text"])

    @registry.handler(SERVICE, "BatchDetectDominantLanguage")
    def batch_detect_dominant_language(ctx: RequestContext, params: Params) -> Params:
        return analysis.batch_detect_dominant_language(params["TextList"])
