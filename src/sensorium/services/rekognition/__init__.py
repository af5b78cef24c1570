"""Amazon Rekognition: collections, faces and users; text in images (DetectText); labels
(DetectLabels)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sensorium.components import Components
from sensorium.config import Settings
from sensorium.models.faces.weights import DLIB_RUNTIME, DLIB_WEIGHTS, MTCNN_WEIGHTS
from sensorium.models.labels.weights import EFFICIENTNET_WEIGHTS
from sensorium.models.ocr.weights import PPOCR_WEIGHTS
from sensorium.models.weights import Weights

if TYPE_CHECKING:
    from sensorium.services.rekognition.collections import CollectionService
    from sensorium.services.rekognition.faces import FaceService
    from sensorium.services.rekognition.labels import LabelService
    from sensorium.services.rekognition.text import TextService
    from sensorium.services.rekognition.users import UserService

SERVICES = ("rekognition",)
MAX_TOKEN_LENGTH = 255  # the model's PaginationToken


@dataclass
class RekognitionService:
    collections: CollectionService
    faces: FaceService
    users: UserService
    text: TextService
    labels: LabelService


def requires(settings: Settings) -> list[Weights]:
    return [DLIB_RUNTIME, DLIB_WEIGHTS, MTCNN_WEIGHTS, PPOCR_WEIGHTS, EFFICIENTNET_WEIGHTS]


def install(components: Components) -> RekognitionService:
    from sqlalchemy.orm import Session

    from sensorium.models.labels import LABEL_MODEL, LabelEngine
    from sensorium.models.ocr import TEXT_MODEL, TextEngine
    from sensorium.models.registry import FACE_MODEL_VERSION
    from sensorium.services.rekognition import handlers
    from sensorium.services.rekognition.collections import CollectionService
    from sensorium.services.rekognition.engine import FACE_MODEL, FaceEngine
    from sensorium.services.rekognition.errors import ERRORS
    from sensorium.services.rekognition.face_indexes import FaceIndexes
    from sensorium.services.rekognition.face_log import FaceSource
    from sensorium.services.rekognition.faces import EMBEDDING_DIM, FaceService, count_faces
    from sensorium.services.rekognition.labels import LabelService
    from sensorium.services.rekognition.snapshots import Snapshots
    from sensorium.services.rekognition.text import TextService
    from sensorium.services.rekognition.users import UserService, count_users
    from sensorium.services.rekognition.vector_index import AnnParams

    components.operations.declare(SERVICES, ERRORS)
    components.operations.gate(
        "rekognition",
        FACE_MODEL,
        "DetectFaces", "CompareFaces", "IndexFaces", "SearchFacesByImage", "SearchUsersByImage",
    )  # fmt: skip
    components.operations.gate("rekognition", TEXT_MODEL, "DetectText")
    components.operations.gate("rekognition", LABEL_MODEL, "DetectLabels")
    paginator = components.paginator(ERRORS, MAX_TOKEN_LENGTH)
    database = components.database
    models_dir = components.settings.models.dir
    components.models.register(FACE_MODEL, lambda: FaceEngine(models_dir))
    components.models.register(TEXT_MODEL, TextEngine)
    components.models.register(LABEL_MODEL, LabelEngine)
    faces_settings = components.settings.faces
    index = FaceIndexes(
        EMBEDDING_DIM,
        FaceSource(database),
        AnnParams(
            min_faces=faces_settings.ann_min_faces,
            candidates=faces_settings.ann_candidates,
            expansion=faces_settings.ann_expansion,
            snapshot_changes=faces_settings.snapshot_changes,
        ),
        Snapshots(components.settings.data_dir / "indexes" / "rekognition", EMBEDDING_DIM),
    )
    components.shutdown_hooks.append(index.close)

    def counts(session: Session, collection_pk: int) -> tuple[int, int]:
        return count_faces(session, collection_pk), count_users(session, collection_pk)

    collections = CollectionService(database, paginator, FACE_MODEL_VERSION, counts, index.drop)
    faces = FaceService(
        database, components.blobs, components.models, index, paginator,
        faces_settings.log_versions,
    )  # fmt: skip
    users = UserService(faces)
    handlers.register(components.operations, collections, faces, users)
    text = TextService(components.blobs, components.models)
    handlers.register_text(components.operations, text)
    labels = LabelService(components.blobs, components.models)
    handlers.register_labels(components.operations, labels)
    from sensorium.services.rekognition import video

    video.install(components, faces)  # Start/Get face detection and face search (stored video)
    return RekognitionService(collections, faces, users, text, labels)
