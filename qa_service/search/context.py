"""What is BM25-indexed for a passage (a date/years/title/section header, then the text) and
what is embedded (section and text).

Users are shown the passage text alone; the header lets a question's year, title words or
section heading match a passage whose own sentences do not repeat them.
"""
from __future__ import annotations

from ..types import Document, Passage


def dense_text(p: Passage) -> str:
    """What the dense encoder embeds: the section heading and the text, no document metadata,
    so a metadata edit (title, date, years) re-embeds nothing (the cache key is this text)."""
    return f"【{p.section}】{p.text}" if p.section else p.text


def passage_context(p: Passage, doc: Document) -> str:
    years = "、".join(f"{y}年" for y in doc.meta.reports_on)
    header = " ".join(x for x in (p.date, years, p.title, p.section) if x)
    return f"【{header}】{p.text}"
