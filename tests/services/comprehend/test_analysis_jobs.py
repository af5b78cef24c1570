"""Asynchronous analysis jobs through boto3: documents written to the server's S3, PII jobs in
both modes, sentiment, entities and dominant language jobs, their outputs read back where
AWS writes them and checked against the Detect operations; Describe, List, Stop, the
idempotency token, and refused requests.

The module's server runs one job worker, so jobs run in the order they were submitted.
"""

from __future__ import annotations

import csv
import io
import json
import tarfile
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import LiveServer, shared_data
from tests.services.comprehend.tagging import assert_offsets

ROLE = "arn:aws:iam::123456789012:role/comprehend"
BUCKET = "analysis-jobs"
DONE = ("COMPLETED", "FAILED", "STOPPED")
RECORDS = [
    "Patient Maria Gonzalez, SSN 123-45-6789, e-mail maria.g@example.org, phone (206) 555-0134.",
    "",
    "Card 4111 1111 1111 1111 was charged; contact john.smith@example.com or call 555-867-5309.",
    "Server 192.168.10.4 logged a login from key AKIAIOSFODNN7EXAMPLE at https://example.org/x",
]
LETTER = (
    "Dear Mr. Robert Johnson,\n\nYour new card ending 4111 1111 1111 1111 was sent to "
    "742 Evergreen Terrace, Springfield, OR 97477.\r\nQuestions? Write to help@bank.example "
    "or call (206) 555-0134.\n"
)


@pytest.fixture(scope="module")
def live(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"SENSORIUM_SERVICES": "comprehend,s3", "SENSORIUM_JOBS_WORKERS": "1"}
    server = LiveServer(tmp_path_factory.mktemp("analysis-jobs") / "data", env=env)
    server.start(timeout=600)  # a busy machine starts slowly
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(live: LiveServer) -> Any:
    patient = Config(read_timeout=900, retries={"total_max_attempts": 1})
    return live.client("comprehend", config=patient)


@pytest.fixture(scope="module")
def s3(live: LiveServer) -> Any:
    made = live.client("s3", config=Config(s3={"addressing_style": "path"}))
    made.create_bucket(Bucket=BUCKET)
    return made


def put(s3: Any, files: dict[str, str]) -> str:
    """The files under a fresh folder; its S3 URI."""
    folder = f"in-{uuid.uuid4().hex[:8]}"
    for name, text in files.items():
        s3.put_object(Bucket=BUCKET, Key=f"{folder}/{name}", Body=text.encode("utf-8"))
    return f"s3://{BUCKET}/{folder}/"


def get(s3: Any, uri: str) -> bytes:
    key = uri.removeprefix(f"s3://{BUCKET}/")
    body: bytes = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return body


def until(read: Callable[[], dict[str, Any]], limit: float = 900) -> dict[str, Any]:
    """Poll until the job ends (the limit only guards a hang)."""
    deadline = time.monotonic() + limit
    while True:
        found = read()
        if found["JobStatus"] in DONE or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def pii_job(client: Any, job_id: str) -> dict[str, Any]:
    found: dict[str, Any] = client.describe_pii_entities_detection_job(JobId=job_id)
    return dict(found["PiiEntitiesDetectionJobProperties"])


def start_pii(client: Any, uri: str, **extra: Any) -> str:
    extra.setdefault("Mode", "ONLY_OFFSETS")
    job_id: str = client.start_pii_entities_detection_job(
        InputDataConfig={"S3Uri": uri, **extra.pop("InputDataConfig", {})},
        OutputDataConfig={"S3Uri": f"s3://{BUCKET}/out/"},
        DataAccessRoleArn=ROLE,
        LanguageCode="en",
        **extra,
    )["JobId"]
    return job_id


def members(archive: bytes) -> dict[str, list[dict[str, Any]]]:
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        found = {}
        for name in tar.getnames():
            member = tar.extractfile(name)
            assert member is not None
            found[name] = [json.loads(line) for line in member.read().decode().splitlines()]
        return found


def test_a_pii_offsets_job_writes_what_detect_pii_entities_finds(client: Any, s3: Any) -> None:
    uri = put(s3, {"records.txt": "\n".join(RECORDS) + "\n", "letter.txt": LETTER})
    job_id = start_pii(
        client, uri, JobName="offsets", InputDataConfig={"InputFormat": "ONE_DOC_PER_LINE"}
    )
    done = until(lambda: pii_job(client, job_id))
    assert done["JobStatus"] == "COMPLETED", done.get("Message")
    account = done["JobArn"].split(":")[4]
    assert done["JobArn"].endswith(f":pii-entities-detection-job/{job_id}")
    folder = f"s3://{BUCKET}/out/{account}-PII-{job_id}/output/"
    assert done["OutputDataConfig"]["S3Uri"] == folder
    assert done["Mode"] == "ONLY_OFFSETS" and done["LanguageCode"] == "en"
    assert done["SubmitTime"] <= done["EndTime"]

    lines = [json.loads(line) for line in get(s3, folder + "records.txt.out").splitlines()]
    assert [line["Line"] for line in lines] == [0, 2, 3]  # the blank line is no document
    for line in lines:
        text = RECORDS[line["Line"]]
        assert line["File"] == "records.txt"
        assert_offsets(text, line["Entities"])
        expected = client.detect_pii_entities(Text=text, LanguageCode="en")["Entities"]
        assert [(e["Type"], e["BeginOffset"], e["EndOffset"]) for e in line["Entities"]] == [
            (e["Type"], e["BeginOffset"], e["EndOffset"]) for e in expected
        ]
    found = {
        (e["Type"], RECORDS[0][e["BeginOffset"] : e["EndOffset"]]) for e in lines[0]["Entities"]
    }
    assert {("NAME", "Maria Gonzalez"), ("SSN", "123-45-6789")} <= found
    assert ("EMAIL", "maria.g@example.org") in found
    letter = [json.loads(line) for line in get(s3, folder + "letter.txt.out").splitlines()]
    # CRLF and LF both end a line: the letter's lines are 0, 2 and 3.
    assert [line["Line"] for line in letter] == [0, 2, 3]


def _masked(text: str, entities: list[dict[str, Any]], types: set[str], mask: str) -> str:
    chars = list(text)
    for entity in entities:
        if entity["Type"] in types:
            for at in range(entity["BeginOffset"], entity["EndOffset"]):
                chars[at] = mask
    return "".join(chars)


def test_pii_redaction_masks_or_names_what_detect_pii_entities_finds(client: Any, s3: Any) -> None:
    uri = put(s3, {"letter.txt": LETTER})
    types = {"NAME", "EMAIL", "CREDIT_DEBIT_NUMBER"}
    masked = start_pii(
        client,
        uri,
        Mode="ONLY_REDACTION",
        RedactionConfig={"PiiEntityTypes": sorted(types), "MaskMode": "MASK", "MaskCharacter": "#"},
    )
    named = start_pii(
        client,
        put(s3, {"records.txt": "\n".join(RECORDS)}),
        Mode="ONLY_REDACTION",
        InputDataConfig={"InputFormat": "ONE_DOC_PER_LINE"},
        RedactionConfig={"PiiEntityTypes": ["ALL"], "MaskMode": "REPLACE_WITH_PII_ENTITY_TYPE"},
    )

    done = until(lambda: pii_job(client, masked))
    assert done["JobStatus"] == "COMPLETED", done.get("Message")
    assert done["RedactionConfig"]["MaskCharacter"] == "#"
    redacted = get(s3, done["OutputDataConfig"]["S3Uri"] + "letter.txt.out").decode()
    entities = client.detect_pii_entities(Text=LETTER, LanguageCode="en")["Entities"]
    assert {e["Type"] for e in entities} >= types | {"PHONE", "ADDRESS"}
    assert redacted == _masked(LETTER, entities, types, "#")
    assert "help@bank.example" not in redacted and "Robert Johnson" not in redacted
    assert "(206) 555-0134" in redacted  # PHONE was not asked for

    done = until(lambda: pii_job(client, named))
    assert done["JobStatus"] == "COMPLETED", done.get("Message")
    lines = get(s3, done["OutputDataConfig"]["S3Uri"] + "records.txt.out").decode().split("\n")
    assert len(lines) == len(RECORDS) and lines[1] == ""
    for text, line in zip(RECORDS, lines, strict=True):
        entities = (
            client.detect_pii_entities(Text=text, LanguageCode="en")["Entities"] if text else []
        )
        assert line == _named(text, entities)
    assert "[SSN]" in lines[0] and "123-45-6789" not in lines[0]
    assert "4111" not in lines[2] and "[CREDIT_DEBIT_NUMBER]" in lines[2]
    assert "[IP_ADDRESS]" in lines[3] and "[AWS_ACCESS_KEY]" in lines[3]


def _named(text: str, entities: list[dict[str, Any]]) -> str:
    for entity in sorted(entities, key=lambda e: -int(e["BeginOffset"])):
        text = f"{text[: entity['BeginOffset']]}[{entity['Type']}]{text[entity['EndOffset'] :]}"
    return text


def sst2(count: int) -> list[tuple[str, str]]:
    """The first ``count`` SST-2 dev sentences of at least eight words, with their label."""
    path = shared_data("sentiment", "sst2", "dev.tsv")
    found = []
    with path.open() as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            text = row["sentence"].strip()
            if len(text.split()) >= 8:
                found.append((text, "POSITIVE" if row["label"] == "1" else "NEGATIVE"))
            if len(found) == count:
                break
    return found


def test_sentiment_entities_and_language_jobs(client: Any, s3: Any) -> None:
    reviews = sst2(24)
    long_line = "good " * 1100  # 5,500 bytes: over AWS's 5 KB per sentiment document
    sentiment_uri = put(s3, {"sst2.txt": "\n".join([t for t, _ in reviews] + [long_line])})
    common = {"OutputDataConfig": {"S3Uri": f"s3://{BUCKET}/results"}, "DataAccessRoleArn": ROLE}
    sentiment = client.start_sentiment_detection_job(
        InputDataConfig={"S3Uri": sentiment_uri, "InputFormat": "ONE_DOC_PER_LINE"},
        LanguageCode="en",
        **common,
    )["JobId"]
    news = "Barack Obama visited Microsoft in Seattle on Monday to talk about 3 new laptops."
    entities = client.start_entities_detection_job(
        InputDataConfig={"S3Uri": put(s3, {"news.txt": news})}, LanguageCode="en", **common
    )["JobId"]
    languages = client.start_dominant_language_detection_job(
        InputDataConfig={"S3Uri": put(s3, {"de.txt": "Das ist ein kleiner Hund im Garten."})},
        **common,
    )["JobId"]

    done = until(
        lambda: client.describe_sentiment_detection_job(JobId=sentiment)[
            "SentimentDetectionJobProperties"
        ]
    )
    assert done["JobStatus"] == "COMPLETED", done.get("Message")
    account = done["JobArn"].split(":")[4]
    key = f"s3://{BUCKET}/results/{account}-SENTIMENT-{sentiment}/output/output.tar.gz"
    assert done["OutputDataConfig"]["S3Uri"] == key
    output = members(get(s3, key))
    assert list(output) == ["output"]
    lines = {line["Line"]: line for line in output["output"]}
    assert sorted(lines) == list(range(len(reviews) + 1))
    assert lines[len(reviews)]["ErrorCode"] == "DOCUMENT_SIZE_EXCEEDED"
    for number, (text, _) in enumerate(reviews[:4]):
        alone = client.detect_sentiment(Text=text, LanguageCode="en")
        assert lines[number]["Sentiment"] == alone["Sentiment"]
        assert lines[number]["SentimentScore"] == pytest.approx(alone["SentimentScore"], abs=1e-3)
    right = sum(lines[n]["Sentiment"] == label for n, (_, label) in enumerate(reviews))
    assert right >= 0.75 * len(reviews)

    done = until(
        lambda: client.describe_entities_detection_job(JobId=entities)[
            "EntitiesDetectionJobProperties"
        ]
    )
    assert done["JobStatus"] == "COMPLETED", done.get("Message")
    [line] = members(get(s3, done["OutputDataConfig"]["S3Uri"]))["output"]
    assert line["File"] == "news.txt" and "Line" not in line
    assert_offsets(news, line["Entities"])
    alone = client.detect_entities(Text=news, LanguageCode="en")["Entities"]
    assert [(e["Type"], e["Text"]) for e in line["Entities"]] == [
        (e["Type"], e["Text"]) for e in alone
    ]

    done = until(
        lambda: client.describe_dominant_language_detection_job(JobId=languages)[
            "DominantLanguageDetectionJobProperties"
        ]
    )
    assert done["JobStatus"] == "COMPLETED", done.get("Message")
    assert "LanguageCode" not in done
    [line] = members(get(s3, done["OutputDataConfig"]["S3Uri"]))["output"]
    assert line["Languages"][0]["LanguageCode"] == "de"


def test_listing_stopping_and_the_client_request_token(client: Any, s3: Any) -> None:
    busy = put(s3, {"many.txt": "\n".join(text for text, _ in sst2(400))})
    blocker = client.start_key_phrases_detection_job(
        InputDataConfig={"S3Uri": busy, "InputFormat": "ONE_DOC_PER_LINE"},
        OutputDataConfig={"S3Uri": f"s3://{BUCKET}/kp"},
        DataAccessRoleArn=ROLE,
        LanguageCode="en",
    )["JobId"]
    token, name = uuid.uuid4().hex, f"queued-{uuid.uuid4().hex[:6]}"
    uri = put(s3, {"one.txt": RECORDS[0]})
    first = start_pii(client, uri, ClientRequestToken=token, JobName=name)
    assert start_pii(client, uri, ClientRequestToken=token, JobName=name) == first
    with pytest.raises(ClientError) as reused:
        start_pii(client, uri, ClientRequestToken=token, JobName="another")
    assert reused.value.response["Error"]["Code"] == "InvalidRequestException"

    # The one worker is busy with the key phrases: the PII job is still queued.
    stopped = client.stop_pii_entities_detection_job(JobId=first)
    assert stopped["JobId"] == first and stopped["JobStatus"] in ("STOP_REQUESTED", "STOPPED")
    assert until(lambda: pii_job(client, first))["JobStatus"] == "STOPPED"
    listed = client.list_pii_entities_detection_jobs(Filter={"JobName": name})
    assert [j["JobId"] for j in listed["PiiEntitiesDetectionJobPropertiesList"]] == [first]
    assert (
        client.list_pii_entities_detection_jobs(Filter={"JobStatus": "STOPPED"})[
            "PiiEntitiesDetectionJobPropertiesList"
        ][0]["JobStatus"]
        == "STOPPED"
    )
    seen, next_token = [], None
    while True:
        page = client.list_pii_entities_detection_jobs(
            MaxResults=1, **({"NextToken": next_token} if next_token else {})
        )
        seen += [j["JobId"] for j in page["PiiEntitiesDetectionJobPropertiesList"]]
        next_token = page.get("NextToken")
        if not next_token:
            break
    assert first in seen and len(seen) == len(set(seen)) and blocker not in seen

    with pytest.raises(ClientError) as other_type:
        client.describe_entities_detection_job(JobId=first)
    assert other_type.value.response["Error"]["Code"] == "JobNotFoundException"
    done = until(
        lambda: client.describe_key_phrases_detection_job(JobId=blocker)[
            "KeyPhrasesDetectionJobProperties"
        ]
    )
    assert done["JobStatus"] == "COMPLETED", done.get("Message")
    with pytest.raises(ClientError) as finished:
        client.stop_key_phrases_detection_job(JobId=blocker)
    assert finished.value.response["Error"]["Code"] == "InvalidRequestException"


def test_bad_requests_are_refused(client: Any, s3: Any) -> None:
    uri = put(s3, {"one.txt": RECORDS[0]})

    def refused(call: Callable[[], Any]) -> str:
        with pytest.raises(ClientError) as error:
            call()
        code: str = error.value.response["Error"]["Code"]
        return code

    missing = f"s3://no-such-bucket-{uuid.uuid4().hex[:8]}/in/"
    assert refused(lambda: start_pii(client, missing)) == "InvalidRequestException"
    not_s3 = "https://example.com/in/"  # the model's S3Uri pattern wants s3://
    assert refused(lambda: start_pii(client, not_s3)) == "ValidationException"  # as AWS says
    assert (
        refused(
            lambda: client.start_entities_detection_job(
                InputDataConfig={"S3Uri": uri},
                OutputDataConfig={"S3Uri": f"s3://{BUCKET}/out"},
                DataAccessRoleArn=ROLE,
                LanguageCode="de",
            )
        )
        == "InvalidRequestException"
    )
    assert refused(lambda: start_pii(client, uri, Mode="ONLY_REDACTION")) == (
        "InvalidRequestException"
    )
    assert (
        refused(
            lambda: start_pii(
                client,
                uri,
                InputDataConfig={
                    "DocumentReaderConfig": {"DocumentReadAction": "TEXTRACT_DETECT_DOCUMENT_TEXT"}
                },
            )
        )
        == "InvalidRequestException"
    )
    assert (
        refused(
            lambda: client.start_events_detection_job(
                InputDataConfig={"S3Uri": uri},
                OutputDataConfig={"S3Uri": f"s3://{BUCKET}/out"},
                DataAccessRoleArn=ROLE,
                LanguageCode="en",
                TargetEventTypes=["BANKRUPTCY"],
            )
        )
        == "NotImplementedException"
    )

    empty = start_pii(client, f"s3://{BUCKET}/nothing-here-{uuid.uuid4().hex[:8]}/")
    done = until(lambda: pii_job(client, empty))
    assert done["JobStatus"] == "FAILED" and "No input documents" in done["Message"]
