"""The result file in Transcribe's own JSON format (``results.transcripts``/``items``)."""

from __future__ import annotations

import json
from typing import Any

from sensorium.models.stt import Transcription


def _seconds(value: float | None) -> str:
    return f"{value or 0.0:.3f}"


def result_document(
    job_name: str, account_id: str, language_code: str, transcription: Transcription
) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for index, token in enumerate(transcription.tokens):
        alternative = {"confidence": f"{token.confidence:.4f}", "content": token.content}
        item: dict[str, Any] = {"id": index, "type": token.kind, "alternatives": [alternative]}
        if token.kind == "pronunciation":
            item["start_time"] = _seconds(token.start)
            item["end_time"] = _seconds(token.end)
        items.append(item)
    timed = [token for token in transcription.tokens if token.kind == "pronunciation"]
    segments = []
    if timed:
        segments.append(
            {
                "id": 0,
                "transcript": transcription.text,
                "start_time": _seconds(timed[0].start),
                "end_time": _seconds(timed[-1].end),
                "items": list(range(len(items))),
            }
        )
    return {
        "jobName": job_name,
        "accountId": account_id,
        "status": "COMPLETED",
        "results": {
            "language_code": language_code,
            "transcripts": [{"transcript": transcription.text}],
            "items": items,
            "audio_segments": segments,
        },
    }


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
