"""Decoding every format Transcribe accepts, at any rate and channel count."""

from __future__ import annotations

import io

import av
import pytest

from sensorium.models.stt import (
    SAMPLE_RATE,
    AudioTooLong,
    EmptyAudio,
    UndecodableAudio,
    decode_audio,
)
from sensorium.models.stt.audio import _samples
from tests.conftest import shared_data
from tests.models.stt.encoding import FORMATS, encode, encode_as


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_decodes_to_16k_mono(name: str) -> None:
    source = shared_data("speech", "misc", "goforward.wav")
    _container, _, rate, layout = FORMATS[name]
    audio = decode_audio(encode_as(source, name))
    assert audio.media_format == ("mp4" if name == "m4a" else name)
    assert audio.source_rate == rate
    assert audio.channels == (2 if layout == "stereo" else 1)
    assert audio.samples.ndim == 1
    assert audio.samples.dtype.name == "float32"
    # Codec frames and priming trim or pad a few tens of milliseconds, no more.
    assert audio.duration == pytest.approx(2.786, abs=0.12)
    assert 0.01 < float(abs(audio.samples).max()) <= 1.0


def test_wav_keeps_every_sample() -> None:
    audio = decode_audio(shared_data("speech", "misc", "goforward.wav").read_bytes())
    assert len(audio.samples) == round(2.78625 * SAMPLE_RATE)


def test_zero_sample_wav_is_empty() -> None:
    with pytest.raises(EmptyAudio):
        decode_audio(shared_data("speech", "misc", "null.wav").read_bytes())
    with pytest.raises(EmptyAudio):
        decode_audio(b"")


@pytest.mark.parametrize(
    "data",
    [
        b"this is not audio at all, only text" * 20,
        bytes(range(256)) * 40,
        b"RIFF\x24\x00\x00\x00WAVEfmt ",  # a WAV header cut short
    ],
)
def test_garbage_is_undecodable(data: bytes) -> None:
    with pytest.raises(UndecodableAudio):
        decode_audio(data)


def test_truncated_mp3_decodes_what_is_there() -> None:
    source = shared_data("speech", "misc", "goforward.wav")
    whole = encode_as(source, "mp3")
    audio = decode_audio(whole[: len(whole) // 2])
    assert 0.8 < audio.duration < 2.0


def test_aiff_decodes_but_is_not_a_transcribe_format() -> None:
    source = shared_data("speech", "misc", "goforward.wav")
    audio = decode_audio(encode(source, "aiff", "pcm_s16be", 16000, "mono"))
    assert audio.media_format is None
    assert audio.container == "aiff"


def test_audio_past_the_limit_is_refused_from_its_header() -> None:
    clip = shared_data("speech", "misc", "goforward.wav").read_bytes()  # 2.79 s
    with pytest.raises(AudioTooLong):
        decode_audio(clip, max_seconds=1.0)
    assert decode_audio(clip, max_seconds=3.0).duration == pytest.approx(2.786, abs=0.01)


def test_audio_is_counted_while_decoding_and_stops_at_the_limit() -> None:
    # Every container here states its duration; the count is for those that do not (a
    # stream cut short of its header's promise): exercised on the decoder directly.
    data = shared_data("speech", "misc", "goforward.wav").read_bytes()
    with av.open(io.BytesIO(data)) as container, pytest.raises(AudioTooLong):
        _samples(container, container.streams.audio[0], SAMPLE_RATE * 2, 2.0)
