"""The response-fidelity check (tests/fidelity.py) on answers made up here: what it reports."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from typing import Any

import botocore.session
import pytest

from tests import fidelity

SESSION = botocore.session.get_session()
NOW = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)


def output(service: str, operation: str) -> Any:
    return SESSION.get_service_model(service).operation_model(operation).output_shape


def job(**changes: Any) -> dict[str, Any]:
    found = {
        "TranscriptionJobName": "job",
        "TranscriptionJobStatus": "COMPLETED",
        "CreationTime": NOW,
        "Tags": [{"Key": "team", "Value": "audio"}],
    }
    found.update(changes)
    return {"TranscriptionJob": found}


def test_a_faithful_answer_passes() -> None:
    assert fidelity.audit(output("transcribe", "GetTranscriptionJob"), job()) == []


def test_a_missing_required_member_is_named_by_its_path() -> None:
    answer = job(Tags=[{"Key": "team", "Value": "audio"}, {"Key": "owner"}])
    assert fidelity.audit(output("transcribe", "GetTranscriptionJob"), answer) == [
        "TranscriptionJob.Tags[1].Value: required member missing"
    ]


def test_required_top_level_members_and_map_values() -> None:
    shape = output("comprehend", "BatchDetectSentiment")
    assert fidelity.audit(shape, {"ResultList": []}) == ["ErrorList: required member missing"]
    bot = output("lexv2-runtime", "RecognizeText")
    answer = {"sessionState": {"intent": {"name": "Order", "slots": {"x": {"value": {}}}}}}
    assert fidelity.audit(bot, answer) == [
        "sessionState.intent.slots{x}.value.interpretedValue: required member missing"
    ]
    unfilled = {"sessionState": {"intent": {"name": "Order", "slots": {"x": None}}}}
    assert fidelity.audit(bot, unfilled) == []


def test_types_enums_and_timestamps() -> None:
    answer = job(CreationTime="2024-05-01T12:00:00Z", TranscriptionJobStatus="DONE")
    answer["TranscriptionJob"]["MediaSampleRateHertz"] = "16000"
    assert fidelity.audit(output("transcribe", "GetTranscriptionJob"), answer) == [
        "TranscriptionJob.TranscriptionJobStatus: 'DONE' is not one of the model's values "
        "['QUEUED', 'IN_PROGRESS', 'FAILED', 'COMPLETED']",
        "TranscriptionJob.CreationTime: expected a timezone-aware datetime, "
        "got '2024-05-01T12:00:00Z'",
        "TranscriptionJob.MediaSampleRateHertz: expected an integer, got '16000'",
    ]
    naive = job(CreationTime=NOW.replace(tzinfo=None))
    assert len(fidelity.audit(output("transcribe", "GetTranscriptionJob"), naive)) == 1


@pytest.mark.parametrize(
    ("arn", "problem"),
    [
        ("arn:aws:forecast:us-east-1:123456789012:dataset/sales", None),
        ("arn:aws:forecast:::algorithm/Deep_AR_Plus", None),
        ("arn:aws:iam::123456789012:role/forecast", None),
        ("arn:aws:forecast:eu-west-1:123456789012:dataset/sales", "names region eu-west-1"),
        ("arn:aws:forecast:us-east-1:1234:dataset/sales", "is not a well-formed ARN"),
        ("aws:forecast:us-east-1:123456789012:dataset/sales", "is not a well-formed ARN"),
        ("arn:aws:forecast:us-east-1:123456789012:", "is not a well-formed ARN"),
    ],
)
def test_arns(arn: str, problem: str | None) -> None:
    shape = output("forecast", "DescribeDataset")
    found = fidelity.audit(shape, {"DatasetArn": arn}, arn_namespace="forecast", region="us-east-1")
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and problem in found[0], found
    group = output("forecast", "DescribeDatasetGroup")  # DatasetArns: a list of ARNs
    listed = fidelity.audit(
        group, {"DatasetArns": [arn]}, arn_namespace="forecast", region="us-east-1"
    )
    assert len(listed) == len(found)


def test_the_allow_list_is_by_generic_path() -> None:
    answer = job(Tags=[{"Key": "team"}])
    allowed = {"TranscriptionJob.Tags[].Value": "a reason"}
    shape = output("transcribe", "GetTranscriptionJob")
    assert fidelity.audit(shape, answer, allowed=allowed) == []


class _Response:
    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


def test_the_hook_raises_and_records_but_skips_errors() -> None:
    model = SESSION.get_service_model("comprehend").operation_model("BatchDetectSentiment")
    context = {"client_region": "us-east-1"}
    fidelity.check_response(_Response(400), {"Error": {"Code": "X"}}, model, context)
    before = len(fidelity.VIOLATIONS)
    with pytest.raises(AssertionError, match=r"comprehend BatchDetectSentiment (.|\n)*ErrorList"):
        fidelity.check_response(_Response(200), {"ResultList": []}, model, context)
    assert len(fidelity.VIOLATIONS) == before + 1
    del fidelity.VIOLATIONS[before:]  # not this test's failure: the autouse check reads it


def test_lex_headers_of_packed_json_are_walked() -> None:
    model = SESSION.get_service_model("lexv2-runtime").operation_model("RecognizeUtterance")
    context = {"client_region": "us-east-1"}
    state = {"dialogAction": {"type": "Close"}, "intent": {"state": "Fulfilled"}}
    packed = base64.b64encode(gzip.compress(json.dumps(state).encode())).decode()
    before = len(fidelity.VIOLATIONS)
    with pytest.raises(AssertionError, match=r"sessionState\.intent\.name: required member"):
        fidelity.check_response(_Response(200), {"sessionState": packed}, model, context)
    with pytest.raises(AssertionError, match="messages: is not gzip-compressed"):
        fidelity.check_response(_Response(200), {"messages": "[]"}, model, context)
    del fidelity.VIOLATIONS[before:]
    state["intent"]["name"] = "OrderFlowers"
    packed = base64.b64encode(gzip.compress(json.dumps(state).encode())).decode()
    fidelity.check_response(_Response(200), {"sessionState": packed}, model, context)


def test_every_allowed_absence_is_a_required_member_with_a_reason() -> None:
    """The allow-list stays honest: each entry names a member the model requires (else it
    allows nothing) and says why no honest value exists."""
    for (service, operation), paths in fidelity.ALLOWED_MISSING.items():
        for path, reason in paths.items():
            assert reason.strip(), (service, operation, path)
            shape = output(service, operation)
            *parents, last = path.replace("[]", ".[]").replace("{}", ".{}").split(".")
            for step in parents:
                if step == "[]":
                    shape = shape.member
                elif step == "{}":
                    shape = shape.value
                else:
                    shape = shape.members[step]
            assert last in shape.required_members, (service, operation, path)
