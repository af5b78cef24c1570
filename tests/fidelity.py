"""Response fidelity: every answer a test's boto3 client receives is walked against the
operation's output shape in botocore's model.

``attach`` registers ``check_response`` on a client's ``after-call`` event (botocore emits it
once per operation call, with the parsed response and the operation model, after retries).
An answer fails the test (``AssertionError`` naming the operation and the path) when:

- a member the output shape marks ``required`` is absent, at any depth: structures, list
  items and map values are walked recursively;
- a value has the wrong type for its shape (a timestamp that is not a timezone-aware
  ``datetime``, a string where a number belongs, ...);
- a string is not one of its enum's values;
- an ARN (a string whose member or shape is named ``...Arn``/``...ARN``, or an item of a
  ``...Arns`` list) is not well-formed, or names this service's namespace in another region
  than the client's.

Structures Lex V2's runtime answers in headers (gzip-compressed, base64-encoded JSON) are
unpacked and walked too. Error responses are skipped (their shape is the error's, checked
elsewhere). The walk only visits what the response holds, once, so it costs little next to
the HTTP round trip.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import re
from typing import Any

from botocore.response import StreamingBody as _Stream

# (service model name, operation) -> generic paths (list items as ``[]``, map values as
# ``{}``) of required members that may be absent, each with the reason no honest value exists.
ALLOWED_MISSING: dict[tuple[str, str], dict[str, str]] = {}

# Lex V2's runtime answers some structures in headers, as gzip-compressed, base64-encoded
# JSON that botocore leaves a string: those are unpacked and walked as the shape they carry.
PACKED_HEADERS: dict[str, dict[str, str]] = {
    "lexv2-runtime": {
        "messages": "Messages",
        "interpretations": "Interpretations",
        "sessionState": "SessionState",
        "requestAttributes": "StringMap",
    }
}

# Every problem found, also when a test swallowed the AssertionError (a worker thread, a
# broad ``except``): the autouse fixture in tests/conftest.py fails such a test afterwards.
VIOLATIONS: list[str] = []

_ARN = re.compile(
    r"arn:aws:(?P<service>[a-z0-9-]+):(?P<region>(?:[a-z]{2}(?:-[a-z]+)+-\d)?)"
    r":(?P<account>(?:\d{12})?):(?P<resource>\S+)"
)
_INTEGERS = ("integer", "long", "short", "byte")
_FLOATS = ("float", "double")
_INDEX = re.compile(r"\[\d+\]")
_KEY = re.compile(r"\{[^{}]*\}")


def attach(client: Any) -> Any:
    """Register the check on ``client``'s calls; the client."""
    client.meta.events.register("after-call", check_response, unique_id="sensorium-fidelity")
    return client


def check_response(
    http_response: Any, parsed: dict[str, Any], model: Any, context: Any = None, **_: Any
) -> None:
    """The ``after-call`` handler: raise if the (successful) answer breaks its model."""
    output = model.output_shape
    if output is None or http_response is None or http_response.status_code >= 300:
        return
    if "Error" in parsed and "Error" not in output.members:
        return  # an error botocore found in a 2xx answer (S3 does that)
    service = model.service_model
    name = service.service_name
    walk = _Walk(
        [],
        service.metadata.get("signingName") or service.endpoint_prefix,
        (context or {}).get("client_region"),
        ALLOWED_MISSING.get((name, model.name), {}),
    )
    walk.visit(output, parsed, "")
    for member, packed in PACKED_HEADERS.get(name, {}).items():
        if isinstance(parsed.get(member), str) and member in output.members:
            walk.packed(service.shape_for(packed), parsed[member], member)
    problems = walk.problems
    if problems:
        where = f"{name} {model.name}"
        message = f"{where} answered against its output shape:\n  " + "\n  ".join(problems)
        VIOLATIONS.append(message)
        raise AssertionError(message)


def audit(
    shape: Any,
    value: Any,
    *,
    arn_namespace: str | None = None,
    region: str | None = None,
    allowed: dict[str, str] | None = None,
) -> list[str]:
    """Every way ``value`` (a parsed response) breaks ``shape``, as ``path: problem``."""
    problems: list[str] = []
    _Walk(problems, arn_namespace, region, allowed or {}).visit(shape, value, "")
    return problems


class _Walk:
    def __init__(
        self,
        problems: list[str],
        arn_namespace: str | None,
        region: str | None,
        allowed: dict[str, str],
    ) -> None:
        self.problems = problems
        self.arn_namespace = arn_namespace
        self.region = region
        self.allowed = allowed

    def visit(self, shape: Any, value: Any, path: str, name: str = "") -> None:
        kind = shape.type_name
        if kind == "structure":
            self.structure(shape, value, path)
        elif kind == "list":
            if not isinstance(value, list):
                self.fail(path, f"expected a list, got {type(value).__name__}")
                return
            member = shape.member
            for index, item in enumerate(value):
                self.visit(member, item, f"{path}[{index}]", name)
        elif kind == "map":
            if not isinstance(value, dict):
                self.fail(path, f"expected a map, got {type(value).__name__}")
                return
            inner = shape.value
            for key, item in value.items():
                if item is not None:  # a map may say "no value" (Lex's unfilled slots)
                    self.visit(inner, item, f"{path}{{{key}}}", name)
        elif kind == "string":
            self.string(shape, value, path, name)
        elif kind == "timestamp":
            if not isinstance(value, dt.datetime) or value.tzinfo is None:
                self.fail(path, f"expected a timezone-aware datetime, got {value!r}")
        elif kind in _INTEGERS:
            if isinstance(value, bool) or not isinstance(value, int):
                self.fail(path, f"expected an integer, got {value!r}")
        elif kind in _FLOATS:
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.fail(path, f"expected a number, got {value!r}")
        elif kind == "boolean":
            if not isinstance(value, bool):
                self.fail(path, f"expected a boolean, got {value!r}")
        elif kind == "blob" and not isinstance(value, bytes | bytearray | _Stream):
            self.fail(path, f"expected bytes or a stream, got {type(value).__name__}")
        # documents (and any newer type) carry free-form values: nothing to check

    def packed(self, shape: Any, value: str, path: str) -> None:
        """A header of gzip-compressed, base64-encoded JSON, walked as ``shape``."""
        try:
            unpacked = json.loads(gzip.decompress(base64.b64decode(value, validate=True)))
        except (ValueError, OSError, EOFError):  # binascii.Error is a ValueError
            self.fail(path, "is not gzip-compressed, base64-encoded JSON")
            return
        self.visit(shape, unpacked, path)

    def structure(self, shape: Any, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.fail(path, f"expected a structure, got {type(value).__name__}")
            return
        prefix = f"{path}." if path else ""
        for required in shape.required_members:
            if value.get(required) is None:
                where = prefix + required
                if _generic(where) not in self.allowed:
                    self.fail(where, "required member missing")
        members = shape.members
        for key, item in value.items():
            member = members.get(key)
            if member is not None and item is not None:  # ResponseMetadata is botocore's
                self.visit(member, item, prefix + key, key)

    def string(self, shape: Any, value: Any, path: str, name: str) -> None:
        if not isinstance(value, str):
            self.fail(path, f"expected a string, got {value!r}")
            return
        if shape.enum and value not in shape.enum:
            self.fail(path, f"{value!r} is not one of the model's values {shape.enum}")
        if _names_arn(name) or _names_arn(shape.name) or name[-4:].lower() == "arns":
            self.arn(value, path)

    def arn(self, value: str, path: str) -> None:
        found = _ARN.fullmatch(value)
        if found is None:
            self.fail(path, f"{value!r} is not a well-formed ARN")
        elif (
            found["service"] == self.arn_namespace
            and found["region"]
            and self.region
            and found["region"] != self.region
        ):
            self.fail(path, f"{value!r} names region {found['region']}, not {self.region}")

    def fail(self, path: str, problem: str) -> None:
        self.problems.append(f"{path or '<output>'}: {problem}")


def _names_arn(name: str) -> bool:
    return name[-3:].lower() == "arn"


def _generic(path: str) -> str:
    """A concrete path's allow-list form: list indexes as ``[]``, map keys as ``{}``."""
    return _KEY.sub("{}", _INDEX.sub("[]", path))
