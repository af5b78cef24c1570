from __future__ import annotations

import botocore.session
from botocore.model import Shape

from sensorium.protocol.validation import validate as validate_problems

MODEL = botocore.session.get_session().get_service_model("rekognition")


def validate(shape: Shape, value: object) -> list[str]:
    return [str(problem) for problem in validate_problems(shape, value)]


def shape(operation: str) -> Shape:
    found: Shape = MODEL.operation_model(operation).input_shape
    return found


def test_valid_input_has_no_problems() -> None:
    assert validate(shape("CreateCollection"), {"CollectionId": "ok_id-1.2"}) == []


def test_required_member() -> None:
    problems = validate(shape("CreateCollection"), {})
    assert problems == [
        "Value null at 'collectionId' failed to satisfy constraint: Member must not be null"
    ]


def test_max_length_pattern_and_range() -> None:
    problems = validate(shape("CreateCollection"), {"CollectionId": "a/" * 200})
    assert any("length less than or equal to 255" in p for p in problems)
    assert any("regular expression pattern" in p for p in problems)
    problems = validate(shape("ListCollections"), {"MaxResults": 4097})
    assert problems == [
        "Value '4097' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 4096"
    ]


def test_enum_and_nested_members() -> None:
    problems = validate(
        shape("DetectFaces"), {"Image": {"Bytes": b""}, "Attributes": ["ALL", "EVERYTHING"]}
    )
    assert any("at 'image.bytes'" in p and "greater than or equal to 1" in p for p in problems)
    assert any("attributes.2.member" in p and "enum value set" in p for p in problems)


def test_unicode_property_patterns() -> None:
    ok = validate(shape("TagResource"), {"ResourceArn": "a" * 20, "Tags": {"Équipe": "vision"}})
    assert ok == []
    reserved = validate(shape("TagResource"), {"ResourceArn": "a" * 20, "Tags": {"aws:x": "y"}})
    assert len(reserved) == 1 and "tags.aws:x.key" in reserved[0]


def test_oversized_blobs_are_flagged() -> None:
    problems = validate_problems(shape("DetectFaces"), {"Image": {"Bytes": b"x" * 5242881}})
    assert len(problems) == 1 and problems[0].oversized_blob


def test_role_arns_are_not_held_to_another_service_pattern() -> None:
    forecast = botocore.session.get_session().get_service_model("forecast")
    shape = forecast.operation_model("CreateDatasetImportJob").input_shape
    params = {
        "DatasetImportJobName": "job",
        "DatasetArn": "arn:aws:forecast:us-east-1:123456789012:dataset/d",
        "DataSource": {
            "S3Config": {
                "Path": "s3://bucket/data.csv",
                "RoleArn": "arn:aws:iam::123456789012:role/ForecastAccess",
            }
        },
    }
    assert validate_problems(shape, params) == []
