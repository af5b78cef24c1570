"""Face detection, landmarks, pose, quality and embeddings for the Rekognition face APIs.

Pure model code: numpy images in, dataclasses out (pixel coordinates). torch and dlib are
imported lazily, when a model is loaded.

Typical use::

    from sensorium.models.faces import FacePipeline, load_image, similarity

    pipeline = FacePipeline()            # MTCNN detector + dlib 5-point + dlib ResNet
    pipeline.load()                      # once, at start-up
    image = load_image(body)             # raises UnsupportedImageError
    faces = pipeline.analyze(image.rgb)  # list[FaceAnalysis], largest first
    score = similarity(distance(faces[0].embedding, stored))  # 0-100
"""

from sensorium.models.faces.detector import FaceDetector
from sensorium.models.faces.errors import (
    ImageTooLargeError,
    ModelWeightsMissingError,
    UnsupportedImageError,
)
from sensorium.models.faces.image import LoadedImage, load_image
from sensorium.models.faces.pipeline import DEFAULT_DETECTOR, FacePipeline, create_detector
from sensorium.models.faces.similarity import (
    ASSOCIATE_FACES_THRESHOLD,
    Calibration,
    distance,
    embedding_similarity,
    load_calibration,
    similarity,
)
from sensorium.models.faces.types import (
    Box,
    DetectedFace,
    Embedding,
    FaceAnalysis,
    Landmarks5,
    Point,
    Pose,
    Quality,
    RGBImage,
)

__all__ = [
    "ASSOCIATE_FACES_THRESHOLD",
    "DEFAULT_DETECTOR",
    "Box",
    "Calibration",
    "DetectedFace",
    "Embedding",
    "FaceAnalysis",
    "FaceDetector",
    "FacePipeline",
    "ImageTooLargeError",
    "Landmarks5",
    "LoadedImage",
    "ModelWeightsMissingError",
    "Point",
    "Pose",
    "Quality",
    "RGBImage",
    "UnsupportedImageError",
    "create_detector",
    "distance",
    "embedding_similarity",
    "load_calibration",
    "load_image",
    "similarity",
]
