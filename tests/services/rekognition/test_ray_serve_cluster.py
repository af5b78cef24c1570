"""The face model served by Ray Serve replicas answers exactly as in the API node's own
process (``pytest -k cluster``).

Two API nodes share one data directory: one runs the face model itself, the other sends
every image to a Ray Serve deployment on a local Ray cluster. The same requests to both must
get the same answers, to the last digit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests import ray_cluster
from tests.conftest import LiveServer
from tests.services.rekognition.faces_data import no_face_photos, photo

EXAMPLES = "face_recognition/examples"
REQUEST_LINE = "__call__ OK"  # a Serve replica's log line for each request it answered


@pytest.fixture(scope="module")
def nodes(
    database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, LiveServer, ray_cluster.RayCluster]]:
    cluster = ray_cluster.head()
    data = tmp_path_factory.mktemp("ray-serve") / "data"
    base = {"SENSORIUM_SERVICES": "rekognition"}
    local = LiveServer(data, env=base).start().wait_ready()
    served = LiveServer(
        data,
        env={
            **base,
            **ray_cluster.environment(),
            "SENSORIUM_RAY_ADDRESS": cluster.address,
            "SENSORIUM_RAY_SERVE_MODELS": "faces",
            # The cluster's CPUs go to the replica: this test runs no jobs.
            "SENSORIUM_RAY_JOB_WORKERS": "0",
        },
    )
    try:
        served.start().wait_ready()
        yield local, served, cluster
    finally:
        served.stop()
        local.stop()


def answer(response: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def image(relative: str) -> dict[str, bytes]:
    return {"Bytes": photo(relative)}


def test_cluster_face_model_on_ray_serve_answers_as_in_process(
    nodes: tuple[LiveServer, LiveServer, ray_cluster.RayCluster],
) -> None:
    local, served, cluster = nodes
    here, there = local.client("rekognition"), served.client("rekognition")
    before = cluster.replica_logs("faces").count(REQUEST_LINE)

    here.create_collection(CollectionId="served")
    for name in ("obama.jpg", "biden.jpg"):
        here.index_faces(
            CollectionId="served", Image=image(f"{EXAMPLES}/{name}"), ExternalImageId=name
        )
    calls = 0
    for relative in (f"{EXAMPLES}/two_people.jpg", f"{EXAMPLES}/obama2.jpg", no_face_photos()[0]):
        expected = here.detect_faces(Image=image(relative), Attributes=["ALL"])
        assert answer(there.detect_faces(Image=image(relative), Attributes=["ALL"])) == answer(
            expected
        )
        calls += 1
    for name in ("obama2.jpg", "biden.jpg"):
        query = {"CollectionId": "served", "Image": image(f"{EXAMPLES}/{name}")}
        expected = here.search_faces_by_image(**query)
        assert expected["FaceMatches"]
        assert answer(there.search_faces_by_image(**query)) == answer(expected)
        calls += 1
    pair = {"SourceImage": image(f"{EXAMPLES}/obama.jpg")}
    pair["TargetImage"] = image(f"{EXAMPLES}/two_people.jpg")
    assert answer(there.compare_faces(**pair)) == answer(here.compare_faces(**pair))
    calls += 2

    # Every face inference of the second node ran in a replica, none in its own process.
    assert cluster.replica_logs("faces").count(REQUEST_LINE) - before == calls
    assert "loaded model faces on RayServe" in served.log()


def test_cluster_no_face_stays_a_modelled_error_through_ray_serve(
    nodes: tuple[LiveServer, LiveServer, ray_cluster.RayCluster],
) -> None:
    local, served, _ = nodes
    local.client("rekognition").create_collection(CollectionId="no-face")
    query = {"CollectionId": "no-face", "Image": image(no_face_photos()[0])}
    errors = []
    for node in (local, served):
        client = node.client("rekognition")
        with pytest.raises(client.exceptions.InvalidParameterException) as raised:
            client.search_faces_by_image(**query)
        errors.append(raised.value.response["Error"])
    assert errors[0] == errors[1]
