"""Sentences and sentence-aligned splitting of paragraphs (never mid-sentence)."""
from __future__ import annotations

import re
from functools import lru_cache

from ..lexicon.patterns import ANSWER_UNIT, CLAUSE_END, CLOSERS, SENTENCE, SENTENCE_END


def ends_sentence(text: str) -> bool:
    stripped = text.rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


def has_sentence_end(text: str) -> bool:
    return any(ch in SENTENCE_END for ch in text)


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, each ending with its punctuation (and closing quotes)."""
    return [m.group(0) for m in SENTENCE.finditer(text) if m.group(0)]


def _split_long(sentence: str, limit: int) -> list[str]:
    """Cut a sentence longer than ``limit`` at clause boundaries (；, then ，)."""
    for marks in (CLAUSE_END, "，,、"):
        pieces = re.findall(rf"[^{marks}]*[{marks}]+|[^{marks}]+$", sentence)
        if all(len(p) <= limit for p in pieces) and len(pieces) > 1:
            return _pack(pieces, limit)
    return [sentence[i:i + limit] for i in range(0, len(sentence), limit)]


def _pack(units: list[str], limit: int) -> list[str]:
    """Greedy packing of consecutive units into parts of balanced length ≤ ``limit``."""
    total = sum(len(u) for u in units)
    n_parts = -(-total // limit)
    target = total / n_parts
    parts, current = [], ""
    for unit in units:
        if current and (len(current) + len(unit) > limit or len(current) >= target):
            parts.append(current)
            current = ""
        current += unit
    if current:
        parts.append(current)
    return parts


def split_paragraph(text: str, limit: int) -> list[str]:
    """Split at sentence boundaries into parts of at most ``limit`` characters."""
    if len(text) <= limit:
        return [text]
    units: list[str] = []
    for sentence in split_sentences(text):
        units.extend(_split_long(sentence, limit) if len(sentence) > limit else [sentence])
    return _pack(units, limit)


@lru_cache(maxsize=8192)  # a passage's units are the same for every question
def answer_units(text: str) -> tuple[tuple[int, int], ...]:
    """What an answer can be: sentences, with long ；-joined sentences cut into their clauses,
    as [start, end) offsets in ``text`` (surrounding blanks left out)."""
    units = []
    for m in ANSWER_UNIT.finditer(text):
        raw = m.group(0)
        start = m.start() + len(raw) - len(raw.lstrip())
        end = m.start() + len(raw.rstrip())
        if end > start:
            units.append((start, end))
    return tuple(units)


SHORT_CLAUSE_MAX = 20  # characters: one short clause (四要强化实干作风。要夯实政治根基。)
UNIT_END = "。；;！!？?"  # the marks an answer unit ends with
# Three short parallel sentences make a list; two may be prose (要…。要…。 answers, then asks on)
RUN_MIN = 3


def is_short_clause(unit: str) -> bool:
    """An answer unit that is one short clause: no comma, colon or semicolon before the mark that
    ends it, and at most ``SHORT_CLAUSE_MAX`` characters with that mark."""
    text = unit.strip()
    body = text[:-1] if text[-1:] in UNIT_END else text
    return len(text) <= SHORT_CLAUSE_MAX and not re.search(r"[，,；;：:]", body)


def parallel_runs(text: str, units: tuple[tuple[int, int], ...] | None = None) -> tuple[tuple[int, int], ...]:
    """Lists written as sentences: runs of ``RUN_MIN`` or more consecutive answer units of
    ``text`` (``answer_units``, or ``units``), each one short clause and all opening with the same
    character (要夯实政治根基。要建强干部队伍。要做优人才生态。; 深化国资国企改革；深化…；), as
    (first, last) indexes into the units, last included."""
    units = answer_units(text) if units is None else units
    leads = [text[a:b].strip()[:1] if is_short_clause(text[a:b]) else "" for a, b in units]
    runs, first = [], 0
    for i in range(1, len(units) + 1):
        if i == len(units) or not leads[i] or leads[i] != leads[first]:
            if leads[first] and i - first >= RUN_MIN:
                runs.append((first, i - 1))
            first = i
    return tuple(runs)


_CLAUSE = re.compile(r"[^，,：:]*[，,：:]?")


def clause_at(sentence: str, at: int) -> tuple[int, int]:
    """[start, end) of the clause of ``sentence`` that holds offset ``at``: ``answer_clauses``'s
    split (between commas and colons, the mark left out), however short the clause."""
    for m in _CLAUSE.finditer(sentence):
        if m.start() <= at < m.end() or m.end() == len(sentence):
            return m.start(), m.start() + len(sentence[m.start():m.end()].rstrip("，,：:"))
    return 0, len(sentence)


@lru_cache(maxsize=8192)  # every question looks at the same sentences' clauses
def answer_clauses(sentence: str) -> tuple[tuple[int, int], ...]:
    """The clauses of an answer sentence that a span may be (between commas and colons, the mark
    left out, two characters or more), as [start, end) offsets in ``sentence``. The index embeds
    them (``search.sentence_vectors``) and ``qa.spans.pick_clause`` chooses among them: one split
    for both, so a clause's vector is its own."""
    out = []
    for m in _CLAUSE.finditer(sentence):
        text = sentence[m.start():m.end()].rstrip("，,：:")
        if len(text.strip()) >= 2:
            out.append((m.start(), m.start() + len(text)))
    return tuple(out)
