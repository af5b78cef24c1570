"""Rekognition operations: modelled input dict in, modelled output dict out."""

from __future__ import annotations

from sensorium.context import RequestContext
from sensorium.operations import OperationRegistry, Params
from sensorium.services.rekognition.collections import CollectionService
from sensorium.services.rekognition.faces import DEFAULT_THRESHOLD, FaceService
from sensorium.services.rekognition.users import UserService

SERVICE = "rekognition"


def register(
    registry: OperationRegistry,
    collections: CollectionService,
    faces: FaceService,
    users: UserService,
) -> None:
    register_collections(registry, collections)
    register_faces(registry, faces)
    register_users(registry, users)


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

    @registry.handler(SERVICE, "TagResource")
    def tag_resource(ctx: RequestContext, params: Params) -> Params:
        collections.tag(ctx, params["ResourceArn"], params["Tags"])
        return {}

    @registry.handler(SERVICE, "UntagResource")
    def untag_resource(ctx: RequestContext, params: Params) -> Params:
        collections.untag(ctx, params["ResourceArn"], params["TagKeys"])
        return {}

    @registry.handler(SERVICE, "ListTagsForResource")
    def list_tags_for_resource(ctx: RequestContext, params: Params) -> Params:
        return {"Tags": collections.tags(ctx, params["ResourceArn"])}


def register_faces(registry: OperationRegistry, faces: FaceService) -> None:
    @registry.handler(SERVICE, "DetectFaces")
    def detect_faces(ctx: RequestContext, params: Params) -> Params:
        return faces.detect_faces(params["Image"])

    @registry.handler(SERVICE, "CompareFaces")
    def compare_faces(ctx: RequestContext, params: Params) -> Params:
        return faces.compare_faces(
            params["SourceImage"],
            params["TargetImage"],
            params.get("SimilarityThreshold", DEFAULT_THRESHOLD),
            params.get("QualityFilter", "NONE"),
        )

    @registry.handler(SERVICE, "IndexFaces")
    def index_faces(ctx: RequestContext, params: Params) -> Params:
        return faces.index_faces(
            ctx,
            params["CollectionId"],
            params["Image"],
            params.get("ExternalImageId"),
            params.get("MaxFaces"),
            params.get("QualityFilter", "AUTO"),
        )

    @registry.handler(SERVICE, "ListFaces")
    def list_faces(ctx: RequestContext, params: Params) -> Params:
        return faces.list_faces(
            ctx,
            params["CollectionId"],
            params.get("MaxResults"),
            params.get("NextToken"),
            params.get("UserId"),
            params.get("FaceIds"),
        )

    @registry.handler(SERVICE, "DeleteFaces")
    def delete_faces(ctx: RequestContext, params: Params) -> Params:
        return faces.delete_faces(ctx, params["CollectionId"], params["FaceIds"])

    @registry.handler(SERVICE, "SearchFaces")
    def search_faces(ctx: RequestContext, params: Params) -> Params:
        return faces.search_faces(
            ctx,
            params["CollectionId"],
            params["FaceId"],
            params.get("MaxFaces"),
            params.get("FaceMatchThreshold"),
        )

    @registry.handler(SERVICE, "SearchFacesByImage")
    def search_faces_by_image(ctx: RequestContext, params: Params) -> Params:
        return faces.search_faces_by_image(
            ctx,
            params["CollectionId"],
            params["Image"],
            params.get("MaxFaces"),
            params.get("FaceMatchThreshold"),
            params.get("QualityFilter", "NONE"),
        )


def register_users(registry: OperationRegistry, users: UserService) -> None:
    @registry.handler(SERVICE, "CreateUser")
    def create_user(ctx: RequestContext, params: Params) -> Params:
        users.create_user(ctx, params["CollectionId"], params["UserId"])
        return {}

    @registry.handler(SERVICE, "DeleteUser")
    def delete_user(ctx: RequestContext, params: Params) -> Params:
        users.delete_user(ctx, params["CollectionId"], params["UserId"])
        return {}

    @registry.handler(SERVICE, "ListUsers")
    def list_users(ctx: RequestContext, params: Params) -> Params:
        return users.list_users(
            ctx, params["CollectionId"], params.get("MaxResults"), params.get("NextToken")
        )

    @registry.handler(SERVICE, "AssociateFaces")
    def associate_faces(ctx: RequestContext, params: Params) -> Params:
        return users.associate_faces(
            ctx,
            params["CollectionId"],
            params["UserId"],
            params["FaceIds"],
            params.get("UserMatchThreshold"),
        )

    @registry.handler(SERVICE, "DisassociateFaces")
    def disassociate_faces(ctx: RequestContext, params: Params) -> Params:
        return users.disassociate_faces(
            ctx, params["CollectionId"], params["UserId"], params["FaceIds"]
        )

    @registry.handler(SERVICE, "SearchUsers")
    def search_users(ctx: RequestContext, params: Params) -> Params:
        return users.search_users(
            ctx,
            params["CollectionId"],
            params.get("UserId"),
            params.get("FaceId"),
            params.get("UserMatchThreshold"),
            params.get("MaxUsers"),
        )

    @registry.handler(SERVICE, "SearchUsersByImage")
    def search_users_by_image(ctx: RequestContext, params: Params) -> Params:
        return users.search_users_by_image(
            ctx,
            params["CollectionId"],
            params["Image"],
            params.get("UserMatchThreshold"),
            params.get("MaxUsers"),
            params.get("QualityFilter", "NONE"),
        )
