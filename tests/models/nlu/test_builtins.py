"""Built-in slot type parsing and the tagger's span decoding."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from sensorium.models.nlu.augment import expand
from sensorium.models.nlu.builtins import resolve
from sensorium.models.nlu.tagger import decode

TODAY = dt.date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize(
    ("type_name", "text", "expected"),
    [
        ("AMAZON.Date", "tomorrow", ["2026-11-27"]),
        ("AMAZON.Date", "friday", ["2026-11-27"]),
        ("AMAZON.Date", "thursday", ["2026-12-03"]),
        ("AMAZON.Date", "june 5th", ["2027-06-05"]),
        ("AMAZON.Date", "the 3rd of december", ["2026-12-03"]),
        ("AMAZON.Date", "2030-01-02", ["2030-01-02"]),
        ("AMAZON.Date", "roses", []),
        ("AMAZON.Time", "5 pm", ["17:00"]),
        ("AMAZON.Time", "10:30 am", ["10:30"]),
        ("AMAZON.Time", "six thirty pm", ["18:30"]),
        ("AMAZON.Time", "noon", ["12:00"]),
        ("AMAZON.Time", "5", ["05:00", "17:00"]),
        ("AMAZON.Number", "twenty three", ["23"]),
        ("AMAZON.Number", "1,200", ["1200"]),
        ("AMAZON.Number", "many", []),
        ("AMAZON.Duration", "two hours", ["PT2H"]),
        ("AMAZON.Duration", "3 days", ["P3D"]),
        ("AMAZON.Confirmation", "yes please", ["Yes"]),
        ("AMAZON.Confirmation", "nope", ["No"]),
        ("AMAZON.Confirmation", "purple", []),
        ("AMAZON.EmailAddress", "jane at example dot com", ["jane@example.com"]),
        ("AMAZON.PhoneNumber", "555 123 4567", ["5551234567"]),
        ("AMAZON.AlphaNumeric", "AB 12", ["AB12"]),
    ],
)
def test_resolve(type_name: str, text: str, expected: list[str]) -> None:
    assert resolve(type_name, text, TODAY) == expected


def test_decode_bio_spans() -> None:
    tags = ["O", "B-A", "I-A", "B-B", "I-B"]
    assert decode(tags, [0, 1, 2, 0, 3, 4, 2]) == [("A", 1, 3), ("B", 4, 6), ("A", 6, 7)]


def test_expand_fills_and_tags_references() -> None:
    examples = expand(
        "Order", "send {Type} on {Day}", 0, {"Type": ["red roses"], "Day": ["friday"]}, 5,
        random.Random(0),
    )  # fmt: skip
    assert len(examples) == 1
    assert examples[0].words == ("send", "red", "roses", "on", "friday")
    assert examples[0].tags == ("O", "B-Type", "I-Type", "O", "B-Day")
