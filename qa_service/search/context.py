"""What is BM25-indexed for a passage (a date/years/title/section header, then the text) and
what is embedded (section and text).

Users are shown the passage text alone; the header lets a question's year, title words or
section heading match a passage whose own sentences do not repeat them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..lexicon.patterns import text_years
from ..types import Document, Passage


def dense_text(p: Passage) -> str:
    """What the dense encoder embeds: the section heading and the text, no document metadata,
    so a metadata edit (title, date, years) re-embeds nothing (the cache key is this text)."""
    return f"【{p.section}】{p.text}" if p.section else p.text


def passage_context(p: Passage, doc: Document) -> str:
    years = "、".join(f"{y}年" for y in doc.meta.reports_on)
    header = " ".join(x for x in (p.date, years, p.title, p.section) if x)
    return f"【{header}】{p.text}"


def filter_years(p: Passage, doc: Document) -> set[int]:
    """The years a year filter matches a passage by: its document's years (reported on or
    planned for) and the years its section heading or text names."""
    return set(doc.meta.years) | text_years(f"{p.section} {p.text}")


@dataclass(frozen=True)
class PassageFilter:
    """Restrict a search to passages of one year and/or one document (None = any)."""

    year: int | None = None
    doc_id: str | None = None

    @property
    def empty(self) -> bool:
        return self.year is None and self.doc_id is None


@dataclass(frozen=True)
class StoreRecords:
    """What the dense and sparse stores are built from, one entry per passage in index order."""

    passage_ids: Sequence[str]
    doc_ids: Sequence[str]
    payloads: Sequence[dict]  # paragraph, part, years (the filter's), reports_on, plans_for, start, end
    vectors: np.ndarray
    token_lists: Sequence[list[str]]


def store_records(passages: Sequence[Passage], documents: Mapping[str, Document], vectors: np.ndarray,
                  token_lists: Sequence[list[str]]) -> StoreRecords:
    payloads = []
    for p in passages:
        meta = documents[p.doc_id].meta
        payloads.append({"paragraph": p.paragraph, "part": p.part, "years": sorted(filter_years(p, documents[p.doc_id])),
                         "reports_on": list(meta.reports_on), "plans_for": list(meta.plans_for),
                         "start": p.start, "end": p.end})
    return StoreRecords([p.passage_id for p in passages], [p.doc_id for p in passages], payloads, vectors, token_lists)
