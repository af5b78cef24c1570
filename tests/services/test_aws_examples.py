"""botocore's own examples (``examples-1.json``) as fixtures: each example of an implemented
operation is run against the server, with its S3 objects made real (shared photos in a local
bucket), and the answer must carry every key the example's output has."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore
import pytest

from tests.conftest import LiveServer
from tests.services.rekognition.faces_data import faces_dir, single_person_photos

EXAMPLES = Path(botocore.__file__).parent / "data"
BUCKET = "mybucket"
# Keys the examples show that we omit on purpose (documented in the README):
OMITTED = {
    # Images are turned upright by their Exif tag instead, as AWS does for JPEGs that have
    # one (it then leaves the field out too; the field is deprecated).
    ("rekognition", "DetectFaces"): {"OrientationCorrection"},
    ("rekognition", "IndexFaces"): {"OrientationCorrection"},
}
LEXICON = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
      alphabet="ipa" xml:lang="en-US">
  <lexeme><grapheme>W3C</grapheme><alias>World Wide Web Consortium</alias></lexeme>
</lexicon>"""


def examples(service: str) -> Iterator[tuple[str, dict[str, Any]]]:
    (path,) = (EXAMPLES / service).glob("*/examples-1.json")
    for operation, items in sorted(json.loads(path.read_text())["examples"].items()):
        for item in items:
            yield operation, item


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key of a response, nested ones as ``A.B``; a list's items as ``A[]``."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            found.add(prefix + key)
            found |= key_paths(inner, f"{prefix}{key}.")
    elif isinstance(value, list):
        for item in value:
            found |= key_paths(item, prefix.rstrip(".") + "[].")
    return found


def missing(expected: dict[str, Any], ours: dict[str, Any], omitted: set[str]) -> list[str]:
    """Keys of the example's output our answer lacks; inside lists only where our list has
    items (an example's three matches say nothing of a photo with none)."""
    have = key_paths(ours)
    lists = {path.split("[]")[0] for path in have if "[]" in path}
    absent = []
    for path in sorted(key_paths(expected)):
        if path in have or path.split(".")[0] in omitted:
            continue
        if "[]" in path and path.split("[]")[0] not in lists:
            continue  # our list is empty: nothing to compare
        absent.append(path)
    return absent


@pytest.fixture(scope="module")
def photos(database: str, server: LiveServer) -> dict[str, str]:
    """The example's object names, each a real photo in the caller's local bucket."""
    server.wait_ready()
    first, second = sorted(single_person_photos().items())[0][1][:2]
    folder = server.data_dir / "s3" / BUCKET
    folder.mkdir(parents=True, exist_ok=True)
    names = {"myphoto": first, "mysourceimage": first, "mytargetimage": second}
    for name, relative in names.items():
        (folder / name).write_bytes((faces_dir() / relative).read_bytes())
    return names


def rekognition_call(client: Any, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    collection = params.get("CollectionId")
    existing = client.list_collections()["CollectionIds"]
    if operation == "CreateCollection" and collection in existing:
        client.delete_collection(CollectionId=collection)
    elif collection is not None and operation != "CreateCollection":
        if collection not in existing:
            client.create_collection(CollectionId=collection)
        image = {"S3Object": {"Bucket": BUCKET, "Name": "myphoto"}}
        face = client.index_faces(CollectionId=collection, Image=image)["FaceRecords"][0]
        if "FaceIds" in params:
            params["FaceIds"] = [face["Face"]["FaceId"]]
        if "FaceId" in params:
            params["FaceId"] = face["Face"]["FaceId"]
    # The examples' thresholds (90-95) are for their own photos; ours must match something.
    for threshold in ("FaceMatchThreshold", "SimilarityThreshold"):
        if threshold in params:
            params[threshold] = 0
    response: dict[str, Any] = getattr(client, _snake(operation))(**params)
    return response


def polly_call(client: Any, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    if operation in ("GetLexicon", "DeleteLexicon", "PutLexicon"):
        client.put_lexicon(Name="example", Content=LEXICON)
        params["Name"] = "example"
        if operation == "PutLexicon":
            params["Content"] = LEXICON
    if operation == "SynthesizeSpeech":
        client.put_lexicon(Name="example", Content=LEXICON)
    if operation == "DescribeVoices":
        params.pop("LanguageCode")  # en-GB: no British voice is installed
    response: dict[str, Any] = getattr(client, _snake(operation))(**params)
    if "AudioStream" in response:
        assert response["AudioStream"].read()
    return response


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


CALLS = {"rekognition": rekognition_call, "polly": polly_call}


@pytest.mark.parametrize(
    ("service", "operation", "example"),
    [
        pytest.param(service, operation, example, id=f"{service}-{operation}")
        for service in CALLS
        for operation, example in examples(service)
    ],
)
def test_our_answer_has_every_key_of_the_aws_example(
    server: LiveServer,
    photos: dict[str, str],
    service: str,
    operation: str,
    example: dict[str, Any],
) -> None:
    client = server.client(service)
    params = json.loads(json.dumps(example.get("input", {})))
    ours = CALLS[service](client, operation, params)
    ours.pop("ResponseMetadata", None)
    expected = example.get("output", {})
    assert not missing(expected, ours, OMITTED.get((service, operation), set())), ours
