"""Rekognition operations: modelled input dict in, modelled output dict out."""

from __future__ import annotations

from sensorium.context import RequestContext
from sensorium.operations import OperationRegistry, Params
from sensorium.services.rekognition.collections import CollectionService

SERVICE = "rekognition"


def register(registry: OperationRegistry, collections: CollectionService) -> None:
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
        rows, token = collections.page(ctx, params.get("MaxResults"), params.get("NextToken"))
        result: Params = {
            "CollectionIds": [row.collection_id for row in rows],
            "FaceModelVersions": [row.face_model_version for row in rows],
        }
        if token:
            result["NextToken"] = token
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
