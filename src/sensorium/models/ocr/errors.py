"""Errors raised by the text models."""

from __future__ import annotations

from sensorium.errors import ConfigurationError


class OcrWeightsMissingError(ConfigurationError):
    """A model file the text pipeline needs is missing or not the one recorded; the message
    says how to fix it."""
