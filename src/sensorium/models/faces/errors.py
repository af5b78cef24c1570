"""Errors raised by the face models."""

from __future__ import annotations

from sensorium.errors import ConfigurationError


class UnsupportedImageError(ValueError):
    """The bytes are not a decodable JPEG or PNG image (or are truncated/corrupt).

    The service layer maps it to Rekognition's ``InvalidImageFormatException``.
    """


class ModelWeightsMissingError(ConfigurationError):
    """A model file the face pipeline needs is not installed; the message says how to fix it."""
