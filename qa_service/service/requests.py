"""The one validator of an ask request, used by the API, the search page, the CLI and the service."""
from __future__ import annotations

import functools
import sys
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping

from ..config import Settings
from ..errors import InvalidQuestionError
from ..qa.pipeline import DEFAULT_MODE, MODES

MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_DOC_ID_CHARS = 200
ASK_FIELDS = ("question", "top_k", "year", "doc_id")


@dataclass(frozen=True)
class Limits:
    """Request limits from the settings (the defaults are the settings' own)."""

    max_question_chars: int = Settings.max_question_chars
    max_top_k: int = Settings.max_top_k
    default_top_k: int = Settings.default_top_k


@dataclass(frozen=True)
class AskRequest:
    question: str
    top_k: int
    year: int | None = None
    doc_id: str | None = None
    mode: str = DEFAULT_MODE


def clean_question(text: str) -> str:
    """Control characters become spaces, invisible format characters (zero-width space, BOM)
    go, then surrounding whitespace is stripped: a question of only those is empty."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text
                   if unicodedata.category(ch) != "Cf").strip()


def _invisible(ch: str) -> bool:
    """What ``clean_question`` turns into nothing: controls, format characters, whitespace."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


def _not_in(excluded) -> str:
    """A regular expression class matching one character ``excluded`` is False for, written
    with the characters themselves (the same in Python, ECMAScript and Rust regex engines).
    Surrogates are left out: they are not text."""
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF or not excluded(chr(code)):
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[^" + "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]"


@functools.cache
def visible_text_pattern() -> str:
    """The JSON Schema ``pattern`` of a question that is not empty once cleaned: it contains a
    character that is not a control, format or whitespace character. Built from the same test
    as ``clean_question`` over all of Unicode, so the OpenAPI document and the validator agree
    character for character."""
    return _not_in(_invisible)


@functools.cache
def non_blank_pattern() -> str:
    """The JSON Schema ``pattern`` of a doc_id that is not blank (``str.strip`` leaves something)."""
    return _not_in(str.isspace)


def is_unicode_text(text: str) -> bool:
    """False for strings JSON can carry but UTF-8 cannot (lone surrogates such as "\\ud800")."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _as_int(value: Any) -> int | None:
    """The integer a JSON number stands for, or None. As in JSON Schema, 5.0 is the integer 5
    (JSON does not tell them apart; JavaScript cannot); 5.5, true and "5" are not integers."""
    if isinstance(value, bool):  # bool is an int in Python
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _invalid(code: str, message: str) -> InvalidQuestionError:
    return InvalidQuestionError(message, code=code)


def parse_ask(raw: Mapping[str, Any], limits: Limits = Limits()) -> AskRequest:
    """Check the types and ranges of an ask request's fields (decoded from JSON, a query string
    or the command line). Raises InvalidQuestionError with a code saying what is wrong."""
    question = raw.get("question")
    if question is None:
        raise _invalid("empty_question", "Field 'question' is required.")
    if not isinstance(question, str):
        raise _invalid("invalid_type", "Field 'question' must be a string.")
    # the length as sent, before cleaning: what the OpenAPI maxLength says
    if len(question) > limits.max_question_chars:
        raise _invalid("question_too_long", f"The question is longer than {limits.max_question_chars} characters.")
    question = clean_question(question)
    if not question:
        raise _invalid("empty_question", "The question is empty.")
    if not is_unicode_text(question):
        raise _invalid("invalid_question", "The question is not valid Unicode text.")

    top_k = raw.get("top_k")
    if top_k is None:
        top_k = min(limits.default_top_k, limits.max_top_k)
    elif (top_k := _as_int(top_k)) is None:
        raise _invalid("invalid_top_k", "Field 'top_k' must be an integer.")
    elif not 1 <= top_k <= limits.max_top_k:
        raise _invalid("invalid_top_k", f"Field 'top_k' must be between 1 and {limits.max_top_k}.")

    year = raw.get("year")
    if year is not None:
        if (year := _as_int(year)) is None:
            raise _invalid("invalid_year", "Field 'year' must be an integer.")
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise _invalid("invalid_year", f"Field 'year' must be between {MIN_YEAR} and {MAX_YEAR}.")

    doc_id = raw.get("doc_id")
    if doc_id is not None:
        if not isinstance(doc_id, str):
            raise _invalid("invalid_type", "Field 'doc_id' must be a string.")
        if len(doc_id) > MAX_DOC_ID_CHARS or not doc_id.strip() or not is_unicode_text(doc_id):
            raise _invalid("invalid_doc_id", "Field 'doc_id' must be a non-empty document id "
                                             f"of at most {MAX_DOC_ID_CHARS} characters.")
        doc_id = doc_id.strip()

    mode = raw.get("mode") or DEFAULT_MODE
    if mode not in MODES:
        raise _invalid("invalid_mode", f"mode must be one of {', '.join(MODES)}")
    return AskRequest(question=question, top_k=top_k, year=year, doc_id=doc_id, mode=mode)
