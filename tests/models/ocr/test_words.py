"""Words from a recognised line: split at spaces, placed from the recogniser's frames."""

from __future__ import annotations

import pytest

from sensorium.models.ocr.types import Quad
from sensorium.models.ocr.words import Orientation, Recognised, place, split

# A horizontal line 100 px long and 20 px high, its corners as the detector gives them.
FLAT: Quad = ((0.0, 0.0), (100.0, 0.0), (100.0, 20.0), (0.0, 20.0))


def approx_quad(quad: Quad) -> object:
    return pytest.approx([coordinate for point in quad for coordinate in point], abs=1e-6)


def flat(quad: Quad) -> list[float]:
    return [coordinate for point in quad for coordinate in point]


def test_place_in_each_orientation() -> None:
    """The first corner is always the text's top-left, whichever way the crop was turned."""
    assert flat(place(FLAT, 0.2, 0.5, Orientation())) == approx_quad(
        ((20, 0), (50, 0), (50, 20), (20, 20))
    )
    # Read upside down: the text runs right to left along the bottom edge.
    assert flat(place(FLAT, 0.2, 0.5, Orientation(flipped=True))) == approx_quad(
        ((80, 20), (50, 20), (50, 0), (80, 0))
    )
    tall: Quad = ((0.0, 0.0), (20.0, 0.0), (20.0, 100.0), (0.0, 100.0))
    # Turned a quarter anticlockwise to be read: the text runs top to bottom, its top on the
    # right.
    assert flat(place(tall, 0.2, 0.5, Orientation(vertical=True))) == approx_quad(
        ((20, 20), (20, 50), (0, 50), (0, 20))
    )
    # And upside down after that: bottom to top, its top on the left.
    assert flat(place(tall, 0.2, 0.5, Orientation(vertical=True, flipped=True))) == approx_quad(
        ((0, 80), (0, 50), (20, 50), (20, 80))
    )


def test_place_follows_a_rotated_line() -> None:
    rotated: Quad = ((0.0, 0.0), (80.0, -60.0), (86.0, -52.0), (6.0, 8.0))  # 100 x 10, -37°
    (x0, y0), (x1, y1), _, _ = place(rotated, 0.5, 1.0, Orientation())
    assert [x0, y0, x1, y1] == pytest.approx([40.0, -30.0, 80.0, -60.0])


def test_words_from_frames() -> None:
    # "ab cd": frames of a, b, c, d = 10, 14, 30, 34 of 50; pitch 4 frames.
    line = Recognised("ab cd", [0.9, 0.8, 1.0, 0.6, 0.4], [10, 14, 30, 34], 50.0)
    words = split(line, FLAT, Orientation())
    assert [word.text for word in words] == ["ab", "cd"]
    assert words[0].confidence == pytest.approx(0.85)
    assert words[1].confidence == pytest.approx(0.5)  # the space's probability is no word's
    # ab: frames 10..14, widened half a pitch: 8.5 .. 16.5 of 50 frames.
    assert words[0].polygon[0][0] == pytest.approx(17.0)
    assert words[0].polygon[1][0] == pytest.approx(33.0)
    assert words[1].polygon[0][0] == pytest.approx(57.0)
    assert words[1].polygon[1][0] == pytest.approx(73.0)


def test_neighbouring_words_never_overlap() -> None:
    line = Recognised("a b", [1.0, 1.0, 1.0], [10, 12], 20.0)
    first, second = split(line, FLAT, Orientation())
    assert first.polygon[1][0] <= second.polygon[0][0] + 1e-9


def test_proportional_split_when_frames_do_not_match() -> None:
    line = Recognised("abc defg", [1.0] * 8, [1, 2], 40.0)  # two frames for seven letters
    words = split(line, FLAT, Orientation())
    assert [word.text for word in words] == ["abc", "defg"]
    assert words[0].polygon[1][0] == pytest.approx(100 * 3 / 8)
    assert words[1].polygon[0][0] == pytest.approx(100 * 4 / 8)


def test_spaces_only_and_repeated_spaces() -> None:
    assert split(Recognised("   ", [1.0] * 3, [], 10.0), FLAT, Orientation()) == []
    words = split(Recognised(" a  b ", [1.0] * 6, [3, 9], 20.0), FLAT, Orientation())
    assert [word.text for word in words] == ["a", "b"]


def test_reading_order_follows_the_text() -> None:
    from sensorium.models.ocr import TextLine
    from sensorium.models.ocr.ppocr import reading_order

    def upside_down(name: str, right: float, bottom: float) -> TextLine:
        # A line 50 x 10 read upside down: its first corner is its bottom-right in the image.
        quad: Quad = (
            (right, bottom),
            (right - 50, bottom),
            (right - 50, bottom - 10),
            (right, bottom - 10),
        )
        return TextLine(name, 1.0, quad, ())

    # On a page turned half a turn the first line is lowest, each row's first word rightmost.
    lines = [
        upside_down("third", 100, 20),
        upside_down("second", 100, 40),
        upside_down("first, right", 100, 60),
        upside_down("first, left", 200, 60),
    ]
    assert [line.text for line in reading_order(lines)] == [
        "first, left",
        "first, right",
        "second",
        "third",
    ]
