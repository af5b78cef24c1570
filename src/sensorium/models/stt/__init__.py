"""Speech to text: audio decoding (PyAV) and Whisper (faster-whisper on CTranslate2)."""

from sensorium.models.stt.audio import (
    SAMPLE_RATE,
    AudioError,
    AudioTooLong,
    DecodedAudio,
    EmptyAudio,
    UndecodableAudio,
    decode_audio,
)
from sensorium.models.stt.whisper import Token, Transcription, WhisperEngine, default_model_dir

__all__ = [
    "SAMPLE_RATE",
    "AudioError",
    "AudioTooLong",
    "DecodedAudio",
    "EmptyAudio",
    "Token",
    "Transcription",
    "UndecodableAudio",
    "WhisperEngine",
    "decode_audio",
    "default_model_dir",
]
