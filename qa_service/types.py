"""Frozen dataclasses that flow through the pipeline; JSON is produced at the edges."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocumentMeta:
    """What the metadata file (or inference from the text) says about one document."""

    doc_id: str
    title: str
    date: str  # ISO 8601, possibly partial ("2023-01") when the day is unknown
    reports_on: tuple[int, ...] = ()  # years whose facts the document reports
    plans_for: tuple[int, ...] = ()  # years the document sets targets or plans for
    kind: str = "news"
    inferred: bool = False  # True when no metadata entry existed
    note: str = ""
    bylines: tuple[str, ...] = ()  # reporters named in the dateline or byline (记者 王磊)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.reports_on) | set(self.plans_for)))


@dataclass(frozen=True)
class Document:
    """A raw source file and its metadata."""

    doc_id: str
    path: str  # relative to the project root, e.g. "corpus/000_x.txt"
    raw: str  # the extracted text (for UTF-8 .txt the file itself); passage offsets point into it
    meta: DocumentMeta
    format: str = "txt"  # txt | md | html | docx | pdf
    encoding: str = "utf-8"  # of the source file, for plain text formats


@dataclass(frozen=True)
class Passage:
    """One reconstructed paragraph (or a sentence-aligned part of a long one)."""

    passage_id: str  # "<doc_id>:<paragraph>[.<part>]"
    doc_id: str
    paragraph: int  # 1-based paragraph number within the document
    part: int  # 0 when the paragraph was not split, else 1-based
    section: str
    title: str
    date: str
    text: str
    start: int  # [start, end) character offsets into the raw file
    end: int
    source_file: str
    article: int = 1  # 1-based article number within the file

    @property
    def anchor(self) -> str:
        return f"p{self.paragraph}" if not self.part else f"p{self.paragraph}.{self.part}"


@dataclass(frozen=True)
class Hit:
    """A passage returned by retrieval, with the scores that ranked it."""

    passage: Passage
    rank: int
    score: float
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerSpan:
    """The answer sentence and key span inside one cited passage."""

    text: str  # the answer sentence, verbatim from the passage
    span: str  # the key figure/name/list, verbatim ("" when none applies)
    passage_id: str
    citation: int  # 1-based rank of the cited passage
    sentence_start: int  # offsets into the passage text
    sentence_end: int
    span_start: int
    span_end: int


@dataclass(frozen=True)
class AnswerPart:
    """One part of a comparison or multi-part question and its cited answer."""

    label: str  # what the part asks about, verbatim from the question (2022年, 粮食产量)
    answer: AnswerSpan | None  # None: the corpus does not answer this part


@dataclass(frozen=True)
class Answer:
    """The service's full reply to one question."""

    question: str
    abstained: bool
    answer: AnswerSpan | None
    hits: tuple[Hit, ...]
    highlights: dict[str, tuple[tuple[int, int], ...]]  # passage_id -> [start, end) in text
    took_ms: float
    analysis: object | None = None  # the qa.QueryAnalysis (typed loosely: types sits below qa)
    parts: tuple[AnswerPart, ...] = ()  # comparison questions: one per part, in question order
