"""Transcribe language codes ("en-US") <-> Whisper language codes ("en")."""

from __future__ import annotations

from functools import cache

# The variant reported when Whisper identifies a language and the caller gave no options.
_PREFERRED = {"en": "en-US", "es": "es-US", "fr": "fr-FR", "de": "de-DE", "pt": "pt-BR"}


@cache
def transcribe_codes() -> tuple[str, ...]:
    import botocore.session

    model = botocore.session.get_session().get_service_model("transcribe")
    return tuple(model.shape_for("LanguageCode").enum)


def whisper_code(code: str) -> str:
    return code.split("-", 1)[0].lower()


def transcribe_code(whisper: str, options: list[str] | None = None) -> str | None:
    """The Transcribe code for a Whisper language, preferring the caller's options."""
    candidates = options or list(transcribe_codes())
    matches = [code for code in candidates if whisper_code(code) == whisper]
    if not matches:
        return None
    preferred = _PREFERRED.get(whisper)
    return preferred if preferred in matches else matches[0]
