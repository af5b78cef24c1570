# ruff: noqa: RUF001
"""Put/Get/List/DeleteLexicon, and phoneme lexemes at synthesis."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.services.polly.conftest import marks, speak


def pls(body: str, alphabet: str = "ipa", language: str = "en-US") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
        f'alphabet="{alphabet}" xml:lang="{language}">{body}</lexicon>'
    )


W3C = "<lexeme><grapheme>W3C</grapheme><alias>World Wide Web Consortium</alias></lexeme>"


def test_put_get_list_delete(polly: Any) -> None:
    name = f"lex{uuid.uuid4().hex[:8]}"
    content = pls(W3C + "<lexeme><grapheme>tomato</grapheme><phoneme>təˈmɑːtoʊ</phoneme></lexeme>")
    polly.put_lexicon(Name=name, Content=content)
    got = polly.get_lexicon(Name=name)
    assert got["Lexicon"] == {"Name": name, "Content": content}
    attributes = got["LexiconAttributes"]
    assert attributes["LexemesCount"] == 2
    assert attributes["Alphabet"] == "ipa" and attributes["LanguageCode"] == "en-US"
    assert attributes["LexiconArn"].endswith(f":lexicon/{name}")
    assert attributes["Size"] == len(content.encode())
    listed = {item["Name"] for item in polly.list_lexicons()["Lexicons"]}
    assert name in listed
    polly.delete_lexicon(Name=name)
    with pytest.raises(polly.exceptions.LexiconNotFoundException):
        polly.get_lexicon(Name=name)
    with pytest.raises(polly.exceptions.LexiconNotFoundException):
        polly.delete_lexicon(Name=name)


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("<lexicon>", "InvalidLexiconException"),
        (pls(W3C, alphabet="klingon"), "UnsupportedPlsAlphabetException"),
        (pls(W3C, language="xx-XX"), "UnsupportedPlsLanguageException"),
        (pls(W3C * 200), "LexiconSizeExceededException"),
        (pls("<lexeme><alias>x</alias></lexeme>"), "InvalidLexiconException"),
    ],
)
def test_invalid_lexicons(polly: Any, content: str, error: str) -> None:
    with pytest.raises(polly.exceptions.ClientError) as raised:
        polly.put_lexicon(Name="bad", Content=content)
    assert raised.value.response["Error"]["Code"] == error


def test_alias_and_phoneme_change_the_audio(polly: Any) -> None:
    name = f"lex{uuid.uuid4().hex[:8]}"
    polly.put_lexicon(
        Name=name,
        Content=pls(W3C + "<lexeme><grapheme>Bob</grapheme><phoneme>ˈæləksændɚ</phoneme></lexeme>"),
    )
    text = "W3C met Bob."
    plain, changed = speak(polly, text), speak(polly, text, LexiconNames=[name])
    assert len(changed) > len(plain) * 1.25  # "World Wide Web Consortium", "Alexander"
    words = marks(polly, text, ["word"], LexiconNames=[name])
    assert [mark["value"] for mark in words] == ["W3C", "met", "Bob"]
