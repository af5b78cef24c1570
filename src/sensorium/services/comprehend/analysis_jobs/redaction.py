"""PII redaction (StartPiiEntitiesDetectionJob, Mode ONLY_REDACTION): the entities of the
chosen types masked character by character (MASK, ``*`` unless MaskCharacter says), or
replaced by their type in brackets (REPLACE_WITH_PII_ENTITY_TYPE: ``[NAME]``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ALL = "ALL"
DEFAULT_MASK = "*"


@dataclass(frozen=True)
class Redaction:
    types: frozenset[str]
    replace_with_type: bool
    mask: str

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> Redaction:
        """From a request's RedactionConfig."""
        return cls(
            types=frozenset(config.get("PiiEntityTypes") or ()),
            replace_with_type=config.get("MaskMode") == "REPLACE_WITH_PII_ENTITY_TYPE",
            mask=config.get("MaskCharacter") or DEFAULT_MASK,
        )

    def applies_to(self, kind: str) -> bool:
        return ALL in self.types or kind in self.types

    def redact(self, text: str, entities: Iterable[Mapping[str, Any]]) -> str:
        """``text`` with each chosen entity (DetectPiiEntities' shape) redacted."""
        parts, at = [], 0
        for entity in sorted(entities, key=lambda e: int(e["BeginOffset"])):
            start, end = max(at, int(entity["BeginOffset"])), int(entity["EndOffset"])
            if not self.applies_to(entity["Type"]) or end <= start:
                continue  # another type, or within an entity redacted already
            parts.append(text[at:start])
            parts.append(
                f"[{entity['Type']}]" if self.replace_with_type else self.mask * (end - start)
            )
            at = end
        parts.append(text[at:])
        return "".join(parts)
