"""Amazon Rekognition: collections, faces and users."""

from __future__ import annotations

from sensorium.components import Components


def install(components: Components) -> None:
    from sqlalchemy.orm import Session

    from sensorium.models.registry import FACE_MODEL_VERSION
    from sensorium.services.rekognition import handlers
    from sensorium.services.rekognition.collections import CollectionService
    from sensorium.services.rekognition.engine import FACE_MODEL, FaceEngine
    from sensorium.services.rekognition.faces import (
        EMBEDDING_DIM,
        FaceService,
        count_faces,
        load_entries,
    )
    from sensorium.services.rekognition.users import UserService, count_users
    from sensorium.services.rekognition.vector_index import VectorIndex

    database = components.database
    models_dir = components.settings.models_dir
    components.models.register(FACE_MODEL, lambda: FaceEngine(models_dir))
    index = VectorIndex(EMBEDDING_DIM, lambda pk: load_entries(database, pk))

    def counts(session: Session, collection_pk: int) -> tuple[int, int]:
        return count_faces(session, collection_pk), count_users(session, collection_pk)

    collections = CollectionService(database, FACE_MODEL_VERSION, counts, index.drop)
    faces = FaceService(database, components.blobs, components.models, index)
    handlers.register(components.operations, collections, faces, UserService(faces))
