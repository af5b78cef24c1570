"""Custom vocabularies: CRUD, and a phrase the vocabulary makes the model hear right."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from sensorium.models.stt.wer import word_error_rate
from tests.conftest import LiveServer, shared_data
from tests.services.transcribe.conftest import put_media, read_uri, start, unique, wait_for


def test_create_get_list_update_delete(server: LiveServer) -> None:
    client = server.client("transcribe", region="sa-east-1")
    names = sorted(unique("vocab") for _ in range(3))
    for name in names:
        created = client.create_vocabulary(
            VocabularyName=name, LanguageCode="en-US", Phrases=["Dashwood", "Los-Angeles"]
        )
        assert created["VocabularyState"] == "READY"
    got = client.get_vocabulary(VocabularyName=names[0])
    assert got["LanguageCode"] == "en-US" and got["VocabularyState"] == "READY"
    with urllib.request.urlopen(got["DownloadUri"], timeout=30) as response:  # presigned
        assert response.read() == b"Dashwood\nLos-Angeles\n"
    with pytest.raises(client.exceptions.ConflictException):
        client.create_vocabulary(VocabularyName=names[0], LanguageCode="en-US", Phrases=["x"])

    listed: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 2}
    while True:
        page = client.list_vocabularies(**kwargs)
        listed += [v["VocabularyName"] for v in page["Vocabularies"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert listed == names
    assert client.list_vocabularies(StateEquals="FAILED")["Vocabularies"] == []

    updated = client.update_vocabulary(
        VocabularyName=names[1], LanguageCode="en-GB", Phrases=["Barton"]
    )
    assert updated["LanguageCode"] == "en-GB"

    client.delete_vocabulary(VocabularyName=names[0])
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_vocabulary(VocabularyName=names[0])
    with pytest.raises(client.exceptions.NotFoundException):
        client.delete_vocabulary(VocabularyName=names[0])
    with pytest.raises(client.exceptions.BadRequestException):
        client.create_vocabulary(VocabularyName=unique(), LanguageCode="en-US", Phrases=[" "])


def test_vocabulary_file(server: LiveServer, transcribe: Any) -> None:
    table = "Phrase\tIPA\tSoundsLike\tDisplayAs\nill-disposed\t\t\t\nDashwood\t\t\t\n"
    uri = put_media(server, table.encode(), "vocabulary.txt")
    name = unique("vocab-file")
    created = transcribe.create_vocabulary(
        VocabularyName=name, LanguageCode="en-US", VocabularyFileUri=uri
    )
    assert created["VocabularyState"] == "READY"
    missing = transcribe.create_vocabulary(
        VocabularyName=unique("vocab-missing"),
        LanguageCode="en-US",
        VocabularyFileUri="s3://media/no/such/vocabulary.txt",
    )
    assert missing["VocabularyState"] == "FAILED"
    assert "doesn't exist" in missing["FailureReason"]
    failed = transcribe.get_vocabulary(VocabularyName=missing["VocabularyName"])
    assert "DownloadUri" not in failed
    got = transcribe.get_vocabulary(VocabularyName=name)
    with urllib.request.urlopen(got["DownloadUri"], timeout=30) as response:
        assert response.read() == b"ill-disposed\nDashwood\n"


def test_vocabulary_fixes_a_misheard_phrase(server: LiveServer, transcribe: Any) -> None:
    """Measured: tiny.en hears "ill disposed" as "old-sposed" in this clip."""
    clip = shared_data("speech", "librivox", "sense_and_sensibility_01_austen_64kb-0880.wav")
    uri = put_media(server, clip.read_bytes())
    reference = "he was not an ill disposed young man"
    vocabulary = unique("austen")
    transcribe.create_vocabulary(
        VocabularyName=vocabulary, LanguageCode="en-US", Phrases=["ill-disposed", "Dashwood"]
    )
    plain = start(transcribe, uri)
    hinted = start(transcribe, uri, Settings={"VocabularyName": vocabulary})

    def text(name: str) -> str:
        job = wait_for(transcribe, name)
        assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
        document = json.loads(read_uri(server, job["Transcript"]["TranscriptFileUri"]))
        return str(document["results"]["transcripts"][0]["transcript"])

    assert word_error_rate(reference, text(plain)) > 0
    assert word_error_rate(reference, text(hinted)) == 0
    assert transcribe.get_transcription_job(TranscriptionJobName=hinted)["TranscriptionJob"][
        "Settings"
    ] == {"VocabularyName": vocabulary, "ChannelIdentification": False, "ShowAlternatives": False}
