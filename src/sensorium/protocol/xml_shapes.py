"""XML bodies as botocore's REST-XML shapes describe them: element names from
``locationName``, flattened or wrapped lists, maps of entry/key/value, ISO 8601 timestamps
and base64 blobs."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any
from xml.etree import ElementTree

from botocore.model import Shape
from botocore.utils import parse_timestamp

from sensorium.errors import SerializationException

_INTEGER_TYPES = ("integer", "long", "short", "byte")
_FLOAT_TYPES = ("float", "double")


class MalformedXml(SerializationException):
    """A body that is not XML, or not the document the operation takes."""

    code = "SerializationException"


def dump(shape: Shape, value: dict[str, Any], root: str, namespace: str | None) -> bytes:
    """``value`` as the document ``<root xmlns=namespace>`` that ``shape`` describes."""
    element = ElementTree.Element(root)
    if namespace:
        element.set("xmlns", namespace)
    _fill(element, shape, value)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(element)


def text_element(root: str, namespace: str | None, text: str | None) -> bytes:
    """A document of one element holding text (S3's GetBucketLocation answer)."""
    element = ElementTree.Element(root)
    if namespace:
        element.set("xmlns", namespace)
    element.text = text
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(element)


def load(shape: Shape, body: bytes, where: str) -> dict[str, Any]:
    """The structure ``shape`` read from an XML document (its root's name is not checked:
    AWS SDKs name it differently)."""
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        # Entities are the one XML feature that makes a small body expand: refused outright.
        raise MalformedXml("The XML you provided was not well-formed.")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        raise MalformedXml("The XML you provided was not well-formed.") from None
    result: dict[str, Any] = _read(shape, root, where)
    return result


def _fill(parent: ElementTree.Element, shape: Shape, value: dict[str, Any]) -> None:
    for name, member in shape.members.items():
        item = value.get(name)
        if item is None or member.serialization.get("location"):
            continue
        tag = member.serialization.get("name", name)
        if member.serialization.get("xmlAttribute"):
            parent.set(tag, _scalar(member, item))
        elif member.type_name == "list" and member.serialization.get("flattened"):
            for entry in item:
                _append(parent, member.member, tag, entry)
        else:
            _append(parent, member, tag, item)


def _append(parent: ElementTree.Element, shape: Shape, tag: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, tag)
    kind = shape.type_name
    if kind == "structure":
        _fill(element, shape, value)
    elif kind == "list":
        entry_tag = shape.member.serialization.get("name", "member")
        for entry in value:
            _append(element, shape.member, entry_tag, entry)
    elif kind == "map":
        for key, item in value.items():
            entry = ElementTree.SubElement(element, "entry")
            _append(entry, shape.key, shape.key.serialization.get("name", "key"), key)
            _append(entry, shape.value, shape.value.serialization.get("name", "value"), item)
    else:
        element.text = _scalar(shape, value)


def _scalar(shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        stamp = value if isinstance(value, dt.datetime) else parse_timestamp(value)
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        stamp = stamp.astimezone(dt.UTC)
        return f"{stamp:%Y-%m-%dT%H:%M:%S}.{stamp.microsecond // 1000:03d}Z"
    if kind == "blob":
        return base64.b64encode(value).decode("ascii")
    return str(value)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read(shape: Shape, element: ElementTree.Element, where: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _read_structure(shape, element, where)
    if kind == "list":
        entry_tag = shape.member.serialization.get("name", "member")
        return [
            _read(shape.member, child, f"{where}[{index}]")
            for index, child in enumerate(c for c in element if _local(c.tag) == entry_tag)
        ]
    if kind == "map":
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        found: dict[str, Any] = {}
        for entry in element:
            parts = {_local(child.tag): child for child in entry}
            if key_tag in parts and value_tag in parts:
                key = _read(shape.key, parts[key_tag], where)
                found[key] = _read(shape.value, parts[value_tag], f"{where}.{key}")
        return found
    return _parse_scalar(shape, element.text or "", where)


def _read_structure(shape: Shape, element: ElementTree.Element, where: str) -> dict[str, Any]:
    children: dict[str, list[ElementTree.Element]] = {}
    for child in element:
        children.setdefault(_local(child.tag), []).append(child)
    result: dict[str, Any] = {}
    for name, member in shape.members.items():
        tag = member.serialization.get("name", name)
        label = f"{where}.{name}" if where else name
        if member.serialization.get("xmlAttribute"):
            attribute = next((v for k, v in element.attrib.items() if _local(k) == tag), None)
            if attribute is not None:
                result[name] = _parse_scalar(member, attribute, label)
            continue
        if member.type_name == "list" and member.serialization.get("flattened"):
            entries = children.get(tag, [])
            if entries:
                result[name] = [
                    _read(member.member, entry, f"{label}[{index}]")
                    for index, entry in enumerate(entries)
                ]
            continue
        if tag in children:
            result[name] = _read(member, children[tag][-1], label)
    return result


def _parse_scalar(shape: Shape, text: str, where: str) -> Any:
    kind = shape.type_name
    text = text.strip() if kind != "string" else text
    try:
        if kind in _INTEGER_TYPES:
            return int(text)
        if kind in _FLOAT_TYPES:
            return float(text)
        if kind == "boolean":
            if text.lower() not in ("true", "false"):
                raise MalformedXml(f"Expected true or false at '{where}'.")
            return text.lower() == "true"
        if kind == "timestamp":
            stamp: dt.datetime = parse_timestamp(text)
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
        if kind == "blob":
            return base64.b64decode(text, validate=True)
    except (ValueError, TypeError, OverflowError, binascii.Error):
        raise MalformedXml(f"Invalid value at '{where}'.") from None
    return text
