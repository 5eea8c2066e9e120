"""Comparison and multi-part questions cut into one question per part.

``2022年和2024年四平GDP各是多少`` asks two questions, ``2022年四平GDP是多少`` and
``2024年四平GDP是多少``; ``2025年四平农业总产值和粮食产量分别是多少`` two more, one per
metric. Each part is answered on its own (so each gets its own year filter, unit and citation);
a part the corpus cannot answer is reported missing rather than dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexicon.cues import CONJUNCTIONS, EACH, MONTH_RANGE, PERIODS

_PERIOD = "|".join(sorted(PERIODS, key=len, reverse=True))
# One time expression: a year with an optional period or month range (2023年上半年, 2024年1至7月).
_TIME = rf"(?:19|20)\d{{2}}\s*年?\s*(?:{_PERIOD}|{MONTH_RANGE})?"
_TIMES = re.compile(rf"{_TIME}(?:\s*{CONJUNCTIONS}\s*{_TIME})+")
_ONE_TIME = re.compile(_TIME)
_SPLIT = re.compile(CONJUNCTIONS)
# What the parts of a metric comparison share and is not part of the metric: years, the place.
_CONTEXT = re.compile(rf"^(?:{_TIME}|四平市?|全市|我市|吉林省?)*")


@dataclass(frozen=True)
class Part:
    label: str  # verbatim from the question: 2022年, 粮食产量
    question: str  # the question this part asks on its own


def _drop_each(text: str) -> str:
    return EACH.sub("", text, count=1)


def split_parts(question: str) -> list[Part]:
    """The parts of a comparison (two or more), or [] for an ordinary question."""
    times = _TIMES.search(question)
    if times:
        labels = [m.group(0).strip() for m in _ONE_TIME.finditer(times.group(0))]
        if len(set(labels)) >= 2:
            before, after = question[:times.start()], _drop_each(question[times.end():])
            return [Part(label, f"{before}{label}{after}") for label in labels]
    each = EACH.search(question)
    if not each:
        return []
    head, tail = question[:each.start()], question[each.end():]
    context = _CONTEXT.match(head).group(0)
    pieces = [p.strip() for p in _SPLIT.split(head[len(context):]) if p.strip()]
    if len(pieces) < 2 or any(len(p) < 2 for p in pieces):
        return []
    return [Part(piece, f"{context}{piece}{tail}") for piece in pieces]
