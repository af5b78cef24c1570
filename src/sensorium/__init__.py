"""Sensorium: deep-learning AI services behind the AWS wire APIs, on your own machine."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sensorium")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
