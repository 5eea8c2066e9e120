"""People's names after a title, dates and levels inside a sentence."""
from __future__ import annotations

import re

from ...lexicon.cues import NAME_END, ORGANS, TITLES
from ...lexicon.patterns import DATE, LEVEL
from ..analysis import QueryAnalysis

_NAME = re.compile(rf"{TITLES}[、，\s]*([\u4e00-\u9fff]{{2,3}}?){NAME_END}")
_TITLE = re.compile(TITLES)
_ORGAN_BEFORE = re.compile(rf"{ORGANS}$")  # 市纪委书记: the asked title is 纪委书记


def pick_name(sentence: str, analysis: QueryAnalysis) -> tuple[int, int] | None:
    """A person's name after a title; after the title the question names, if it names one,
    with the body it names (the mayor is not the party secretary; the discipline commission's
    secretary, 纪委书记, is not the Party committee's, 市委书记), and deputy or not as it asks."""
    asked = _TITLE.search(analysis.question)
    title = ""
    if asked:
        before = analysis.question[:asked.start()]
        deputy = "副" if before.endswith("副") else ""  # a deputy asked for: 市委副书记 is not 市委书记
        organ = _ORGAN_BEFORE.search(before.removesuffix(deputy))
        title = (organ.group(0) if organ else "") + deputy + asked.group(0)
    pattern = (re.compile(rf"{re.escape(title)}[、，\s]*([\u4e00-\u9fff]{{2,3}}?){NAME_END}")
               if asked else _NAME)
    for m in pattern.finditer(sentence):
        if not asked or not re.search(r"[副]$", sentence[:m.start()]):
            start, end = m.span(1)
            for more in re.finditer(r"\s+([\u4e00-\u9fff]{2,3})(?=\s|$)", sentence[end:]):
                if more.start() != end - m.end(1) or _TITLE.fullmatch(more.group(1)):
                    break  # co-authors follow in a byline, up to the next title (通讯员)
                end = m.end(1) + more.end()
            return start, end
    return None


def pick_date(sentence: str) -> tuple[int, int] | None:
    m = DATE.search(sentence)
    return m.span() if m else None


def pick_level(sentence: str) -> tuple[int, int] | None:
    m = LEVEL.search(sentence)
    return m.span() if m else None
