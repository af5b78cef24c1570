"""Kokoro-82M (Apache-2.0): Polly's neural engine, 54 voices sharing one ONNX model."""
