"""Pronunciation lexicons (W3C PLS): stored per account and region, applied at synthesis."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from sqlalchemy import select

from sensorium.context import RequestContext
from sensorium.errors import ServiceError
from sensorium.services.pagination import BadToken, make_token, read_token
from sensorium.services.polly.tables import PollyLexicon
from sensorium.storage.database import Database

PLS = "{http://www.w3.org/2005/01/pronunciation-lexicon}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_SIZE = 4000  # characters, Polly's limit per lexicon
MAX_LEXEME = 100
MAX_LEXICONS = 100
PAGE = 100


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
        raise ServiceError(
            "LexiconSizeExceededException", f"Lexicon is {len(content)} characters; max {MAX_SIZE}."
        )
    try:
        root = ET.fromstring(content)
    except ET.ParseError as error:
        raise ServiceError("InvalidLexiconException", f"Invalid PLS document: {error}") from None
    if root.tag != f"{PLS}lexicon":
        raise ServiceError("InvalidLexiconException", "The root element must be a PLS <lexicon>.")
    alphabet = root.get("alphabet", "")
    if alphabet not in ("ipa", "x-sampa"):
        raise ServiceError("UnsupportedPlsAlphabetException", f"Unsupported alphabet {alphabet!r}.")
    language = root.get(XML_LANG, "")
    if language not in languages:
        raise ServiceError("UnsupportedPlsLanguageException", f"Unsupported language {language!r}.")
    entries: dict[str, Entry] = {}
    lexemes = root.findall(f"{PLS}lexeme")
    for lexeme in lexemes:
        graphemes = [g.text.strip() for g in lexeme.findall(f"{PLS}grapheme") if g.text]
        alias = lexeme.findtext(f"{PLS}alias")
        phoneme = lexeme.findtext(f"{PLS}phoneme")
        if not graphemes or (alias is None and phoneme is None):
            raise ServiceError(
                "InvalidLexiconException", "Each lexeme needs a grapheme and an alias or phoneme."
            )
        if len(ET.tostring(lexeme, encoding="unicode")) > MAX_LEXEME * 4:
            raise ServiceError("MaxLexemeLengthExceededException", "A lexeme is too long.")
        ipa = phoneme.strip() if phoneme and alphabet == "ipa" and alias is None else None
        entry = Entry(alias.strip() if alias else None, ipa)
        for grapheme in graphemes:
            if len(grapheme) > MAX_LEXEME:
                raise ServiceError("MaxLexemeLengthExceededException", "A grapheme is too long.")
            entries.setdefault(grapheme, entry)
    return ParsedLexicon(alphabet, language, entries, len(lexemes))


class LexiconStore:
    def __init__(self, db: Database, languages: frozenset[str]) -> None:
        self.db = db
        self.languages = languages

    def put(self, ctx: RequestContext, name: str, content: str) -> None:
        parsed = parse(content, self.languages)
        with self.db.transaction() as session:
            row = self._find(session, ctx, name)
            if row is None:
                count = len(
                    session.scalars(
                        select(PollyLexicon.id).filter_by(
                            account_id=ctx.account_id, region=ctx.region
                        )
                    ).all()
                )
                if count >= MAX_LEXICONS:
                    raise ServiceError("MaxLexiconsNumberExceededException", "Too many lexicons.")
                row = PollyLexicon(account_id=ctx.account_id, region=ctx.region, name=name)
                session.add(row)
            row.content = content
            row.alphabet = parsed.alphabet
            row.language_code = parsed.language
            row.lexemes_count = parsed.lexemes
            row.size = len(content.encode())
            row.last_modified = dt.datetime.now(dt.UTC)

    def get(self, ctx: RequestContext, name: str) -> PollyLexicon:
        with self.db.reading() as session:
            row = self._find(session, ctx, name)
            if row is None:
                raise ServiceError("LexiconNotFoundException", f"Lexicon {name} was not found.")
            return row

    def delete(self, ctx: RequestContext, name: str) -> None:
        with self.db.transaction() as session:
            row = self._find(session, ctx, name)
            if row is None:
                raise ServiceError("LexiconNotFoundException", f"Lexicon {name} was not found.")
            session.delete(row)

    def page(self, ctx: RequestContext, token: str | None) -> tuple[list[PollyLexicon], str | None]:
        scope = f"lexicons:{ctx.account_id}:{ctx.region}"
        try:
            after = str(read_token(scope, token)) if token else ""
        except BadToken:
            raise ServiceError("InvalidNextTokenException", "Invalid NextToken.") from None
        with self.db.reading() as session:
            rows = list(
                session.scalars(
                    select(PollyLexicon)
                    .filter_by(account_id=ctx.account_id, region=ctx.region)
                    .where(PollyLexicon.name > after)
                    .order_by(PollyLexicon.name)
                    .limit(PAGE + 1)
                )
            )
        more = len(rows) > PAGE
        rows = rows[:PAGE]
        return rows, make_token(scope, rows[-1].name) if more else None

    def entries(self, ctx: RequestContext, names: list[str]) -> dict[str, Entry]:
        """The named lexicons merged; an earlier lexicon wins."""
        merged: dict[str, Entry] = {}
        for name in names:
            for grapheme, entry in parse(
                self.get(ctx, name).content, self.languages
            ).entries.items():
                merged.setdefault(grapheme, entry)
        return merged

    @staticmethod
    def _find(session: object, ctx: RequestContext, name: str) -> PollyLexicon | None:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        return session.scalar(
            select(PollyLexicon).filter_by(account_id=ctx.account_id, region=ctx.region, name=name)
        )
