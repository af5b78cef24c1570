"""Pronunciation lexicons (W3C PLS): stored per account and region, applied at synthesis."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sensorium.context import RequestContext
from sensorium.services.polly.errors import (
    InvalidLexiconException,
    LexiconNotFoundException,
    LexiconSizeExceededException,
    MaxLexemeLengthExceededException,
    MaxLexiconsNumberExceededException,
    UnsupportedPlsAlphabetException,
    UnsupportedPlsLanguageException,
)
from sensorium.services.polly.tables import PollyLexicon
from sensorium.storage.database import Database
from sensorium.storage.paging import Listing, Page, Paginator

PLS = "{http://www.w3.org/2005/01/pronunciation-lexicon}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_SIZE = 4000  # characters, Polly's limit per lexicon
MAX_LEXEME = 100
MAX_LEXICONS = 100
PAGE = 100
LEXICONS = Listing("ListLexicons", (PollyLexicon.name,))


@dataclass(frozen=True)
class Entry:
    alias: str | None
    ipa: str | None


@dataclass(frozen=True)
class ParsedLexicon:
    alphabet: str
    language: str
    entries: dict[str, Entry]
    lexemes: int


def parse(content: str, languages: frozenset[str]) -> ParsedLexicon:
    if len(content) > MAX_SIZE:
        raise LexiconSizeExceededException(f"Lexicon is {len(content)} characters; max {MAX_SIZE}.")
    if "<!DOCTYPE" in content:  # entities are how XML bombs and external reads get in
        raise InvalidLexiconException("A document type declaration is not allowed.")
    try:
        root = ET.fromstring(content)
    except ET.ParseError as error:
        raise InvalidLexiconException(f"Invalid PLS document: {error}") from None
    if root.tag != f"{PLS}lexicon":
        raise InvalidLexiconException("The root element must be a PLS <lexicon>.")
    alphabet = root.get("alphabet", "")
    if alphabet not in ("ipa", "x-sampa"):
        raise UnsupportedPlsAlphabetException(f"Unsupported alphabet {alphabet!r}.")
    language = root.get(XML_LANG, "")
    if language not in languages:
        raise UnsupportedPlsLanguageException(f"Unsupported language {language!r}.")
    entries: dict[str, Entry] = {}
    lexemes = root.findall(f"{PLS}lexeme")
    for lexeme in lexemes:
        graphemes = [g.text.strip() for g in lexeme.findall(f"{PLS}grapheme") if g.text]
        alias = lexeme.findtext(f"{PLS}alias")
        phoneme = lexeme.findtext(f"{PLS}phoneme")
        if not graphemes or (alias is None and phoneme is None):
            raise InvalidLexiconException("Each lexeme needs a grapheme and an alias or phoneme.")
        if len(ET.tostring(lexeme, encoding="unicode")) > MAX_LEXEME * 4:
            raise MaxLexemeLengthExceededException("A lexeme is too long.")
        ipa = phoneme.strip() if phoneme and alphabet == "ipa" and alias is None else None
        entry = Entry(alias.strip() if alias else None, ipa)
        for grapheme in graphemes:
            if len(grapheme) > MAX_LEXEME:
                raise MaxLexemeLengthExceededException("A grapheme is too long.")
            entries.setdefault(grapheme, entry)
    return ParsedLexicon(alphabet, language, entries, len(lexemes))


class LexiconStore:
    def __init__(self, db: Database, languages: frozenset[str], paginator: Paginator) -> None:
        self.db = db
        self.languages = languages
        self.paginator = paginator

    def put(self, ctx: RequestContext, name: str, content: str) -> None:
        parsed = parse(content, self.languages)
        with self.db.transaction(ctx.scope) as session:
            row = _find(session, name)
            if row is None:
                count = session.scalar(select(func.count(PollyLexicon.id))) or 0
                if count >= MAX_LEXICONS:
                    raise MaxLexiconsNumberExceededException("Too many lexicons.")
                row = PollyLexicon(name=name)
                session.add(row)
            row.content = content
            row.alphabet = parsed.alphabet
            row.language_code = parsed.language
            row.lexemes_count = parsed.lexemes
            row.size = len(content.encode())

    def get(self, ctx: RequestContext, name: str) -> PollyLexicon:
        with self.db.reading(ctx.scope) as session:
            row = _find(session, name)
        if row is None:
            raise _not_found(name)
        return row

    def delete(self, ctx: RequestContext, name: str) -> None:
        with self.db.transaction(ctx.scope) as session:
            row = _find(session, name)
            if row is None:
                raise _not_found(name)
            session.delete(row)

    def page(self, ctx: RequestContext, token: str | None) -> Page[PollyLexicon]:
        with self.db.reading(ctx.scope) as session:
            return self.paginator.page(session, select(PollyLexicon), LEXICONS, PAGE, token)

    def entries(self, ctx: RequestContext, names: list[str]) -> dict[str, Entry]:
        """The named lexicons merged; an earlier lexicon wins."""
        merged: dict[str, Entry] = {}
        for name in names:
            for grapheme, entry in parse(
                self.get(ctx, name).content, self.languages
            ).entries.items():
                merged.setdefault(grapheme, entry)
        return merged


def _find(session: Session, name: str) -> PollyLexicon | None:
    return session.scalar(select(PollyLexicon).filter_by(name=name))


def _not_found(name: str) -> LexiconNotFoundException:
    return LexiconNotFoundException(f"Lexicon {name} was not found.")
