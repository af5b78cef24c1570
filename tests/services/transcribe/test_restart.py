"""Jobs survive a restart: queued ones resume, interrupted ones are retried."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.conftest import LiveServer, shared_data
from tests.services.transcribe.conftest import put_media, start, unique, wait_for


def test_queued_jobs_complete_after_restart(fresh_server: LiveServer) -> None:
    # One worker, so that most jobs are still queued when the server stops.
    fresh_server.env["SENSORIUM_WORKERS"] = "1"
    fresh_server.start()
    client = fresh_server.client("transcribe")
    clip = shared_data("speech", "librivox", "sense_and_sensibility_01_austen_64kb-0880.wav")
    uri = put_media(fresh_server, clip.read_bytes())
    names = [start(client, uri, name=unique("resume")) for _ in range(4)]
    statuses = [
        client.get_transcription_job(TranscriptionJobName=name)["TranscriptionJob"][
            "TranscriptionJobStatus"
        ]
        for name in names
    ]
    assert "QUEUED" in statuses
    fresh_server.kill()  # no goodbye: whatever was running is left IN_PROGRESS

    fresh_server.start()
    client = fresh_server.client("transcribe")
    for name in names:
        job = wait_for(client, name)
        assert job["TranscriptionJobStatus"] == "COMPLETED", job.get("FailureReason")
        assert urlsplit(job["Transcript"]["TranscriptFileUri"]).path.endswith(f"/{name}.json")
