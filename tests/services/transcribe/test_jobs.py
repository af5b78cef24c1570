"""Transcription jobs through boto3 against a live server, on the shared clips."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sensorium.blobs import parse_s3_uri
from sensorium.models.stt.wer import word_errors
from tests.conftest import LiveServer, shared_data
from tests.models.stt.conftest import speech_clips
from tests.models.stt.encoding import FORMATS, encode, encode_as
from tests.services.transcribe.conftest import put_media, read_uri, start, unique, wait_for


def transcript_of(server: LiveServer, job: dict[str, Any]) -> dict[str, Any]:
    assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
    document: dict[str, Any] = json.loads(read_uri(server, job["Transcript"]["TranscriptFileUri"]))
    return document


def test_shared_clips_wer_and_word_timings(server: LiveServer, transcribe: Any) -> None:
    clips = speech_clips()
    names = [start(transcribe, put_media(server, clip.path.read_bytes())) for clip in clips]
    errors = words = 0
    for clip, name in zip(clips, names, strict=True):
        job = wait_for(transcribe, name)
        assert job["MediaFormat"] == "wav"
        assert job["MediaSampleRateHertz"] == 16000
        assert job["CreationTime"] <= job["StartTime"] <= job["CompletionTime"]
        document = transcript_of(server, job)
        assert document["jobName"] == name
        assert document["status"] == "COMPLETED"
        text = document["results"]["transcripts"][0]["transcript"]
        clip_errors, clip_words = word_errors(clip.reference, text)
        errors, words = errors + clip_errors, words + clip_words

        items = document["results"]["items"]
        timed = [item for item in items if item["type"] == "pronunciation"]
        assert timed
        starts = [float(item["start_time"]) for item in timed]
        ends = [float(item["end_time"]) for item in timed]
        assert starts == sorted(starts) and ends == sorted(ends)
        assert all(s <= e for s, e in zip(starts, ends, strict=True))
        assert starts[0] >= 0 and ends[-1] <= clip.duration + 0.001
        for item in items:
            (alternative,) = item["alternatives"]
            assert 0.0 <= float(alternative["confidence"]) <= 1.0
            if item["type"] == "punctuation":
                assert "start_time" not in item and alternative["content"] in ".,?!"
        # The transcript is the items, punctuation attached to the word before it.
        rebuilt = ""
        for item in items:
            content = item["alternatives"][0]["content"]
            joiner = "" if item["type"] == "punctuation" or not rebuilt else " "
            rebuilt += joiner + content
        assert rebuilt == text
    assert errors / words <= 0.15, f"WER {errors}/{words} = {errors / words:.3f}"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_media_format(server: LiveServer, transcribe: Any, name: str) -> None:
    data = encode_as(shared_data("speech", "misc", "goforward.wav"), name)
    job_name = start(transcribe, put_media(server, data, f"clip.{name}"), MediaFormat=name)
    job = wait_for(transcribe, job_name)
    document = transcript_of(server, job)
    assert job["MediaSampleRateHertz"] == FORMATS[name][2]
    assert job["MediaFormat"] == name
    # AWS answers Settings even when the request set none.
    assert job["Settings"] == {"ChannelIdentification": False, "ShowAlternatives": False}
    text = document["results"]["transcripts"][0]["transcript"]
    errors, _words = word_errors("go forward ten meters", text)
    assert errors <= 1, (name, text)


def failure_of(server: LiveServer, transcribe: Any, data: bytes | None, **kwargs: Any) -> str:
    uri = put_media(server, data) if data is not None else "s3://media/no/such/object.wav"
    job = wait_for(transcribe, start(transcribe, uri, **kwargs))
    assert job["TranscriptionJobStatus"] == "FAILED"
    assert "Transcript" not in job or "TranscriptFileUri" not in job["Transcript"]
    reason: str = job["FailureReason"]
    return reason


def test_empty_wav_fails_with_reason(server: LiveServer, transcribe: Any) -> None:
    data = shared_data("speech", "misc", "null.wav").read_bytes()
    assert "contains no audio" in failure_of(server, transcribe, data)


def test_corrupt_file_fails(server: LiveServer, transcribe: Any) -> None:
    data = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\xff" * 300
    assert "Failed to parse audio file" in failure_of(server, transcribe, data)


def test_unsupported_format_fails(server: LiveServer, transcribe: Any) -> None:
    source = shared_data("speech", "misc", "goforward.wav")
    reason = failure_of(server, transcribe, encode(source, "aiff", "pcm_s16be", 16000, "mono"))
    assert "aiff" in reason and "not supported" in reason


def test_declared_format_must_match(server: LiveServer, transcribe: Any) -> None:
    data = shared_data("speech", "misc", "goforward.wav").read_bytes()
    reason = failure_of(server, transcribe, data, MediaFormat="mp3")
    assert "doesn't match the detected media format (wav)" in reason


def test_missing_s3_object_fails(server: LiveServer, transcribe: Any) -> None:
    assert "doesn't point to an S3 object" in failure_of(server, transcribe, None)


def test_reused_name_conflicts(server: LiveServer, transcribe: Any) -> None:
    uri = put_media(server, shared_data("speech", "misc", "goforward.wav").read_bytes())
    name = start(transcribe, uri)
    with pytest.raises(transcribe.exceptions.ConflictException):
        start(transcribe, uri, name=name)
    wait_for(transcribe, name)
    with pytest.raises(transcribe.exceptions.ConflictException):
        start(transcribe, uri, name=name)


def test_bad_requests(server: LiveServer, transcribe: Any) -> None:
    uri = "s3://media/whatever.wav"
    with pytest.raises(transcribe.exceptions.BadRequestException) as raised:
        start(transcribe, uri, LanguageCode="de-DE")
    assert "English-only" in raised.value.response["Error"]["Message"]
    with pytest.raises(transcribe.exceptions.BadRequestException):
        start(transcribe, uri, LanguageCode="en-US", IdentifyLanguage=True)
    with pytest.raises(transcribe.exceptions.BadRequestException) as raised:
        start(transcribe, uri, Settings={"ShowSpeakerLabels": True, "MaxSpeakerLabels": 2})
    assert "speaker diarization" in raised.value.response["Error"]["Message"]
    with pytest.raises(transcribe.exceptions.BadRequestException):
        start(transcribe, uri, Settings={"VocabularyName": unique("no-such-vocabulary")})
    with pytest.raises(transcribe.exceptions.BadRequestException):
        start(transcribe, uri, OutputKey="only-a-key.json")
    # The job's name after a 1024-character folder: longer than S3 allows a key to be.
    with pytest.raises(transcribe.exceptions.BadRequestException) as raised:
        start(transcribe, uri, OutputBucketName="results", OutputKey="k/" * 512)
    assert "at most 1024 bytes" in raised.value.response["Error"]["Message"]


def test_output_bucket_and_key(server: LiveServer, transcribe: Any) -> None:
    uri = put_media(server, shared_data("speech", "misc", "goforward.wav").read_bytes())
    name = start(transcribe, uri, OutputBucketName="results", OutputKey="runs/")
    job = wait_for(transcribe, name)
    # The caller's bucket: a plain URL, read with the caller's credentials (signed S3).
    url = job["Transcript"]["TranscriptFileUri"]
    assert url == f"{server.endpoint}/results/runs/{name}.json"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=30)
    assert refused.value.code == 403
    assert transcript_of(server, job)["jobName"] == name
    summary = transcribe.list_transcription_jobs(JobNameContains=name)
    assert summary["TranscriptionJobSummaries"][0]["OutputLocationType"] == "CUSTOMER_BUCKET"


def test_service_bucket_transcript_is_a_presigned_url(server: LiveServer, transcribe: Any) -> None:
    uri = put_media(server, shared_data("speech", "misc", "goforward.wav").read_bytes())
    name = start(transcribe, uri)
    assert wait_for(transcribe, name)["TranscriptionJobStatus"] == "COMPLETED"
    # Built fresh at each Get, as AWS's temporary URLs; plain HTTP downloads it.
    url = transcribe.get_transcription_job(TranscriptionJobName=name)["TranscriptionJob"][
        "Transcript"
    ]["TranscriptFileUri"]
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{server.endpoint}/") and query["X-Amz-Expires"] == ["900"]
    with urllib.request.urlopen(url, timeout=30) as response:
        assert json.loads(response.read())["jobName"] == name
    tampered = url.replace(f"{name}.json", f"{name}x.json")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(tampered, timeout=30)
    assert refused.value.code == 403


def test_identify_language_with_english_model(server: LiveServer, transcribe: Any) -> None:
    uri = put_media(server, shared_data("speech", "misc", "goforward.wav").read_bytes())
    name = start(transcribe, uri, IdentifyLanguage=True, LanguageOptions=["en-GB", "fr-FR"])
    job = wait_for(transcribe, name)
    assert job["TranscriptionJobStatus"] == "COMPLETED"
    assert job["LanguageCode"] == "en-GB"
    assert job["IdentifyLanguage"] is True


def test_get_list_delete(server: LiveServer) -> None:
    client = server.client("transcribe", region="ap-south-1")  # a region of its own
    uri = put_media(server, shared_data("speech", "misc", "goforward.wav").read_bytes())
    names = [start(client, uri, name=unique("listed")) for _ in range(3)]
    for name in names:
        wait_for(client, name)
    failed = start(client, "s3://media/missing/x.wav", name=unique("broken"))
    wait_for(client, failed)

    seen: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 2}
    while True:
        page = client.list_transcription_jobs(**kwargs)
        seen += [job["TranscriptionJobName"] for job in page["TranscriptionJobSummaries"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert seen == [failed, *reversed(names)]  # newest first

    completed = client.list_transcription_jobs(Status="COMPLETED", MaxResults=100)
    assert completed["Status"] == "COMPLETED"
    assert {j["TranscriptionJobName"] for j in completed["TranscriptionJobSummaries"]} == set(names)
    only = client.list_transcription_jobs(JobNameContains="BROKEN")["TranscriptionJobSummaries"]
    assert [job["TranscriptionJobName"] for job in only] == [failed]
    assert "doesn't point" in only[0]["FailureReason"]

    managed = client.get_transcription_job(TranscriptionJobName=names[0])["TranscriptionJob"]
    url = managed["Transcript"]["TranscriptFileUri"]
    transcript = server.data_dir / "s3" / "/".join(parse_s3_uri(url))
    assert transcript.is_file()
    client.delete_transcription_job(TranscriptionJobName=names[0])
    assert not transcript.exists()  # the service-bucket transcript goes with its job
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_transcription_job(TranscriptionJobName=names[0])
    with pytest.raises(client.exceptions.BadRequestException):
        client.delete_transcription_job(TranscriptionJobName=names[0])
    with pytest.raises(client.exceptions.BadRequestException):
        client.list_transcription_jobs(NextToken="not-ours")
    # Another account sees none of it.
    other = server.client(
        "transcribe",
        access_key="AKIDSENSORIUMTEST2",
        secret_key="test-secret-key-two",
        region="ap-south-1",
    )
    assert other.list_transcription_jobs()["TranscriptionJobSummaries"] == []
