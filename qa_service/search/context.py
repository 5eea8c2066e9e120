"""What is embedded and BM25-indexed for a passage: a date/years/title/section header, then the text.

Users are shown the passage text alone; the header lets a question's year, title words or
section heading match a passage whose own sentences do not repeat them.
"""
from __future__ import annotations

from ..types import Document, Passage


def passage_context(p: Passage, doc: Document) -> str:
    years = "、".join(f"{y}年" for y in doc.meta.reports_on)
    header = " ".join(x for x in (p.date, years, p.title, p.section) if x)
    return f"【{header}】{p.text}"
