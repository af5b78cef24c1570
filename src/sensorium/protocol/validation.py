"""Validating decoded input against every constraint the service model states.

botocore checks required members and minimums client-side; a raw HTTP caller checks nothing.
This module checks all of them (required, length and value ranges, patterns, enums) and
reports problems in AWS's own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex
from botocore.model import Shape

_MAX_SHOWN = 64
# IAM role ARNs: some models give them their own service's ARN pattern (Forecast's RoleArn
# must match ":forecast:"), which AWS does not enforce: a real role ARN is accepted there.
_UNCHECKED_PATTERN_MEMBERS = frozenset({"RoleArn", "roleArn"})
# Members whose modelled pattern contradicts the service's own documentation: Forecast's
# Filter.Value is modelled as an ARN, but the List operations document Status filters
# ({"Key": "Status", "Value": "ACTIVE"}).
_UNCHECKED_PATTERN_SHAPES = frozenset({("Filter", "Value")})


@dataclass(frozen=True)
class Problem:
    """One broken constraint: AWS's wording, and whether it is an oversized blob (some
    services report those with an exception of their own, e.g. ImageTooLargeException)."""

    message: str
    oversized_blob: bool = False

    def __str__(self) -> str:
        return self.message


class _Problems(list[Problem]):
    def append_text(self, message: str, oversized_blob: bool = False) -> None:
        self.append(Problem(message, oversized_blob))


def validate(shape: Shape, value: Any) -> list[Problem]:
    """Every constraint ``value`` breaks, as AWS phrases them (empty when valid)."""
    problems = _Problems()
    _check_structure_members(shape, value if isinstance(value, dict) else {}, "", problems)
    return list(problems)


def _check(shape: Shape, value: Any, where: str, problems: _Problems) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        _check_structure_members(shape, value, where, problems)
    elif kind == "list":
        _check_size(value, len(value), meta, where, problems)
        for i, item in enumerate(value):
            _check(shape.member, item, f"{where}.{i + 1}.member", problems)
    elif kind == "map":
        _check_size(value, len(value), meta, where, problems)
        for key, item in value.items():
            _check(shape.key, key, f"{where}.{key}.key", problems)
            _check(shape.value, item, f"{where}.{key}.value", problems)
    elif kind == "string":
        _check_size(value, len(value), meta, where, problems)
        enum = shape.enum
        if enum and value not in enum:
            problems.append_text(
                _fail(value, where, f"Member must satisfy enum value set: [{', '.join(enum)}]")
            )
        pattern = meta.get("pattern")
        if pattern and not _matches(pattern, value):
            problems.append_text(
                _fail(value, where, f"Member must satisfy regular expression pattern: {pattern}")
            )
    elif kind == "blob":
        before = len(problems)
        _check_size(value, len(value), meta, where, problems, unit="length")
        high = meta.get("max")
        if len(problems) > before and high is not None and len(value) > high:
            problems[-1] = Problem(problems[-1].message, oversized_blob=True)
    elif kind in ("integer", "long", "float", "double"):
        low, high = meta.get("min"), meta.get("max")
        if low is not None and value < low:
            problems.append_text(
                _fail(value, where, f"Member must have value greater than or equal to {low}")
            )
        if high is not None and value > high:
            problems.append_text(
                _fail(value, where, f"Member must have value less than or equal to {high}")
            )


def _check_structure_members(
    shape: Shape, value: dict[str, Any], where: str, problems: _Problems
) -> None:
    members = shape.members
    for name in shape.required_members:
        if value.get(name) is None:
            problems.append_text(_fail(None, _join(where, name), "Member must not be null"))
    for name, item in value.items():
        if item is not None and name in members:
            member = members[name]
            unchecked = (
                name in _UNCHECKED_PATTERN_MEMBERS
                or (shape.name, name) in _UNCHECKED_PATTERN_SHAPES
            )
            if unchecked and member.type_name == "string":
                _check_size(item, len(item), member.metadata, _join(where, name), problems)
                continue
            _check(member, item, _join(where, name), problems)


def _check_size(
    value: Any,
    size: int,
    meta: dict[str, Any],
    where: str,
    problems: _Problems,
    unit: str = "length",
) -> None:
    low, high = meta.get("min"), meta.get("max")
    if low is not None and size < low:
        problems.append_text(
            _fail(value, where, f"Member must have {unit} greater than or equal to {low}")
        )
    if high is not None and size > high:
        problems.append_text(
            _fail(value, where, f"Member must have {unit} less than or equal to {high}")
        )


@lru_cache(maxsize=2048)
def _compiled(pattern: str) -> regex.Pattern[str] | None:
    try:
        return regex.compile(pattern)
    except regex.error:
        return None  # a pattern in a dialect we cannot read is not enforced rather than guessed


def _matches(pattern: str, value: str) -> bool:
    compiled = _compiled(pattern)
    return compiled is None or compiled.fullmatch(value) is not None


def _fail(value: Any, where: str, constraint: str) -> str:
    if value is None:
        return f"Value null at '{where}' failed to satisfy constraint: {constraint}"
    if isinstance(value, bytes):
        shown = f"java.nio.HeapByteBuffer[len={len(value)}]"
    else:
        shown = str(value)
        if len(shown) > _MAX_SHOWN:
            shown = shown[:_MAX_SHOWN] + "..."
    return f"Value '{shown}' at '{where}' failed to satisfy constraint: {constraint}"


def _join(where: str, name: str) -> str:
    name = name[:1].lower() + name[1:]
    return f"{where}.{name}" if where else name
