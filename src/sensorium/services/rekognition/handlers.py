"""Rekognition operations: modelled input dict in, modelled output dict out."""

from __future__ import annotations

from sensorium.context import RequestContext
from sensorium.operations import OperationRegistry, Params
from sensorium.services.rekognition.collections import CollectionService
from sensorium.services.rekognition.faces import FaceService
from sensorium.services.rekognition.labels import LabelService
from sensorium.services.rekognition.text import TextService
from sensorium.services.rekognition.users import UserService

SERVICE = "rekognition"


def register(
    registry: OperationRegistry,
    collections: CollectionService,
    faces: FaceService,
    users: UserService,
) -> None:
    register_collections(registry, collections)
    registry.bind(SERVICE, OPERATIONS, collections, faces, users)


def register_collections(registry: OperationRegistry, collections: CollectionService) -> None:
    @registry.handler(SERVICE, "CreateCollection")
    def create_collection(ctx: RequestContext, params: Params) -> Params:
        row = collections.create(ctx, params["CollectionId"], params.get("Tags", {}))
        return {
            "StatusCode": 200,
            "CollectionArn": row.arn,
            "FaceModelVersion": row.face_model_version,
        }

    @registry.handler(SERVICE, "DescribeCollection")
    def describe_collection(ctx: RequestContext, params: Params) -> Params:
        info = collections.describe(ctx, params["CollectionId"])
        return {
            "FaceCount": info.face_count,
            "FaceModelVersion": info.face_model_version,
            "CollectionARN": info.arn,
            "CreationTimestamp": info.created_at,
            "UserCount": info.user_count,
        }

    @registry.handler(SERVICE, "ListCollections")
    def list_collections(ctx: RequestContext, params: Params) -> Params:
        page = collections.page(ctx, params.get("MaxResults"), params.get("NextToken"))
        result: Params = {
            "CollectionIds": [row.collection_id for row in page.items],
            "FaceModelVersions": [row.face_model_version for row in page.items],
        }
        if page.next_token:
            result["NextToken"] = page.next_token
        return result

    @registry.handler(SERVICE, "DeleteCollection")
    def delete_collection(ctx: RequestContext, params: Params) -> Params:
        collections.delete(ctx, params["CollectionId"])
        return {"StatusCode": 200}


# Operations that are a method of the same name (snake_case) of the collection, face or user
# service, applied to these input members in order; "?" marks an optional one.
OPERATIONS = {
    "TagResource": "ResourceArn Tags",
    "UntagResource": "ResourceArn TagKeys",
    "ListTagsForResource": "ResourceArn",
    "DetectFaces": "Image",
    "CompareFaces": "SourceImage TargetImage SimilarityThreshold? QualityFilter?",
    "IndexFaces": "CollectionId Image ExternalImageId? MaxFaces? QualityFilter?",
    "ListFaces": "CollectionId MaxResults? NextToken? UserId? FaceIds?",
    "DeleteFaces": "CollectionId FaceIds",
    "SearchFaces": "CollectionId FaceId MaxFaces? FaceMatchThreshold?",
    "SearchFacesByImage": "CollectionId Image MaxFaces? FaceMatchThreshold? QualityFilter?",
    "CreateUser": "CollectionId UserId",
    "DeleteUser": "CollectionId UserId",
    "ListUsers": "CollectionId MaxResults? NextToken?",
    "AssociateFaces": "CollectionId UserId FaceIds UserMatchThreshold?",
    "DisassociateFaces": "CollectionId UserId FaceIds",
    "SearchUsers": "CollectionId UserId? FaceId? UserMatchThreshold? MaxUsers?",
    "SearchUsersByImage": "CollectionId Image UserMatchThreshold? MaxUsers? QualityFilter?",
}


# DetectText: a method of the text service (text.py), bound the same way.
TEXT_OPERATIONS = {"DetectText": "Image Filters?"}


def register_text(registry: OperationRegistry, text: TextService) -> None:
    registry.bind(SERVICE, TEXT_OPERATIONS, text)


# DetectLabels: a method of the label service (labels.py), bound the same way.
LABEL_OPERATIONS = {"DetectLabels": "Image MaxLabels? MinConfidence? Features? Settings?"}


def register_labels(registry: OperationRegistry, labels: LabelService) -> None:
    registry.bind(SERVICE, LABEL_OPERATIONS, labels)
