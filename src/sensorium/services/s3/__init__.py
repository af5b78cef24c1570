"""Amazon S3 for the local buckets, on the same endpoint as every other service: the
objects ``s3://`` inputs and outputs of the other services read and write."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sensorium.components import Components
from sensorium.config import Settings
from sensorium.models.weights import Weights

if TYPE_CHECKING:
    from sensorium.services.s3.service import S3

SERVICES = ("s3",)
METADATA_DIR = "s3-metadata"


def requires(settings: Settings) -> list[Weights]:
    return []


def install(components: Components) -> S3 | None:
    from sensorium.blobs import LocalBuckets
    from sensorium.services.s3 import handlers
    from sensorium.services.s3.errors import ERRORS
    from sensorium.services.s3.multipart import Multipart
    from sensorium.services.s3.objects import ObjectFiles
    from sensorium.services.s3.service import S3
    from sensorium.services.s3.uploads import UploadFiles

    components.operations.declare(SERVICES, ERRORS)
    store = components.blobs.store
    if not isinstance(store, LocalBuckets):
        handlers.register_off(components.operations, components.settings.s3.endpoint or "")
        return None
    metadata = components.settings.data_dir / METADATA_DIR
    service = S3(components.blobs, ObjectFiles(store, metadata), components.tokens)
    handlers.register(components.operations, service, Multipart(service, UploadFiles(metadata)))
    return service
