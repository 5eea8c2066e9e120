"""The gold question set and how an answer is judged against it.

A gold record names its document, a verbatim *evidence* substring of that document (compared
with all whitespace removed: the source has hard line wraps, also mid-number) and a short
*answer* inside the evidence. Relevance is evidence containment, so it survives changes to
the chunking: a passage is relevant iff it comes from the gold document and its
whitespace-stripped text contains the whitespace-stripped evidence. When no passage of the
document holds the whole evidence (a paragraph split cut through it), a passage counts if it
holds the answer and the first or the last 60 % of the evidence.

Every record has a *style* (how the question is asked: plain, keyword, colloquial, english,
traditional, typo, list, comparison, clause, relative, unanswerable) and falls, by a fixed hash
of its id, into the ``dev`` split (tune on it) or the ``test`` split (never looked at while
tuning; the README and the CI gate report it). Relative-time questions carry the
``reference_date`` that anchors 去年/今年; comparison questions carry one part per thing
compared, a part the corpus cannot answer marked ``missing``. A question that names a year as its
setting rather than as the fact's year (2022年底开经济工作会那会儿，说2023年要储备多少…) lists it
in ``context_years`` (read by the gold file's own checks only).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..errors import QAServiceError
from ..lexicon.patterns import strip_ws
from ..types import Passage

QUESTION_TYPES = ("figure", "year_figure", "synonym", "entity", "policy", "unanswerable")
STYLES = ("plain", "keyword", "colloquial", "english", "traditional", "typo", "list", "comparison",
          "clause", "relative", "unanswerable")
SPLITS = ("dev", "test")
TEST_SHARE = 50  # percent of ids whose hash puts them in the test split
_SPLIT_SALT = "qa-gold-split:"
PARTIAL_EVIDENCE = 0.6  # share of the evidence a passage must hold when a split cut through it


class GoldSetError(QAServiceError):
    """The gold file is missing or a record is malformed."""

    code = "gold_error"


# --- gold set -------------------------------------------------------------------------------

def split_of(record_id: str) -> str:
    """``test`` or ``dev``, fixed by a hash of the id (adding questions never moves old ones)."""
    bucket = int(hashlib.sha256((_SPLIT_SALT + record_id).encode()).hexdigest()[:8], 16) % 100
    return "test" if bucket < TEST_SHARE else "dev"


@dataclass(frozen=True)
class GoldPart:
    """One part of a comparison: what it is about, and its answer (None when ``missing``)."""

    label: str
    doc_id: str | None
    evidence: str | None
    answer: str | None
    year: int | None
    missing: bool = False


@dataclass(frozen=True)
class GoldRecord:
    """One gold question; ``doc_id``/``evidence``/``answer`` are None when unanswerable."""

    id: str
    question: str
    type: str
    doc_id: str | None
    evidence: str | None
    answer: str | None
    year: int | None
    wrong_year_docs: tuple[str, ...] = ()
    style: str = "plain"
    reference_date: dt.date | None = None  # anchors 去年/今年 for relative-time questions
    parts: tuple[GoldPart, ...] = ()  # comparison questions: one per thing compared

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable" and self.doc_id is not None

    @property
    def split(self) -> str:
        return split_of(self.id)


def _part(data: dict) -> GoldPart:
    part = GoldPart(label=str(data["label"]), doc_id=data.get("doc_id"), evidence=data.get("evidence"),
                    answer=data.get("answer"), year=data.get("year"), missing=bool(data.get("missing")))
    if not part.missing and not (part.doc_id and part.evidence and part.answer):
        raise TypeError(f"part {part.label!r} needs doc_id, evidence and answer unless missing")
    return part


def _record(data: dict, where: str) -> GoldRecord:
    try:
        record = GoldRecord(id=str(data["id"]), question=str(data["question"]), type=data["type"],
                            doc_id=data["doc_id"], evidence=data["evidence"], answer=data["answer"],
                            year=data["year"], wrong_year_docs=tuple(data.get("wrong_year_docs") or ()),
                            style=data.get("style", "plain"),
                            reference_date=(dt.date.fromisoformat(data["reference_date"])
                                            if data.get("reference_date") else None),
                            parts=tuple(_part(p) for p in data.get("parts") or ()))
    except (KeyError, TypeError, ValueError) as exc:
        raise GoldSetError(f"{where}: missing or malformed field {exc}") from exc
    if record.type not in QUESTION_TYPES:
        raise GoldSetError(f"{where}: unknown question type {record.type!r}")
    if record.style not in STYLES:
        raise GoldSetError(f"{where}: unknown style {record.style!r}")
    if record.answerable and not (record.evidence and record.answer):
        raise GoldSetError(f"{where}: an answerable question needs evidence and answer")
    return record


def load_gold(path: Path) -> list[GoldRecord]:
    """Read a gold JSONL file (one object per line; blank lines ignored).

    Raises:
        GoldSetError: the file cannot be read, a line is not JSON or a record is malformed.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldSetError(f"cannot read gold set {path}: {exc}") from exc
    records, seen = [], set()
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldSetError(f"{path}:{lineno}: not JSON ({exc.msg})") from exc
        record = _record(data, f"{path}:{lineno}")
        if record.id in seen:
            raise GoldSetError(f"{path}:{lineno}: duplicate id {record.id!r}")
        seen.add(record.id)
        records.append(record)
    if not records:
        raise GoldSetError(f"gold set {path} is empty")
    return records


# --- relevance and answer judgements --------------------------------------------------------

def relevant_passage_ids(passages: Iterable[Passage], record: GoldRecord) -> tuple[str, ...]:
    """Ids of the passages that hold the record's evidence (rule in the module docstring)."""
    if not record.answerable:
        return ()
    evidence, answer = strip_ws(record.evidence), strip_ws(record.answer)
    candidates = [(p.passage_id, strip_ws(p.text)) for p in passages if p.doc_id == record.doc_id]
    whole = tuple(pid for pid, text in candidates if evidence in text)
    if whole:
        return whole
    n = math.ceil(PARTIAL_EVIDENCE * len(evidence))
    return tuple(pid for pid, text in candidates
                 if answer in text and (evidence[:n] in text or evidence[-n:] in text))


def answer_matches(gold_answer: str, span: str, *, exact: bool = False) -> bool:
    """Whitespace-insensitive: the gold answer is contained in (or, if ``exact``, equals) the span."""
    gold, got = strip_ws(gold_answer), strip_ws(span)
    if not got:
        return False
    return got == gold if exact else gold in got
