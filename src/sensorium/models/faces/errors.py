"""Errors raised by the face models."""

from __future__ import annotations

from sensorium.errors import ConfigurationError


class UnsupportedImageError(ValueError):
    """The bytes are not a decodable JPEG or PNG image (or are truncated/corrupt).

    The service layer maps it to Rekognition's ``InvalidImageFormatException``.
    """


class ImageTooLargeError(UnsupportedImageError):
    """The image is larger than the models take (its sides, or the pixels a decoder that
    cannot reduce while decoding would have to hold)."""


class ModelWeightsMissingError(ConfigurationError):
    """A model file the face pipeline needs is not installed; the message says how to fix it."""
