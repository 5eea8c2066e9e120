"""A document's metadata read from its text: title, reporters, date, and the years it reports
on and plans for.

Reads the reflowed text (captions and page-jump markers already gone, wrapped numbers and years
joined), so a photo caption's date or a year split across lines cannot mislead it. The rules
are the ways Chinese news states time, from the cue table (``lexicon.cues``):

* date: a full date in the dateline (2023年11月15日); else a month and day with the year from
  context (12月27日 … 安排部署2025年经济工作 → 2024-12-27; 今年是“十四五”开局之年 → 2021;
  “十四五”收官在即 → 2025); else an annual review with the next year's targets and no date
  is the next January's report (回首2022年 … 2023年主要目标 → 2023-01).
* reports on: the year reviewed (回首2022年, 2021年工作回顾); else the document's year
  (今年以来, 前三季度 — relative to the date), or the year before for a report dated in its
  first quarter that names that year (a January review of the past year).
* plans for: years named with targets (2023年主要目标, 安排部署2023年), 明年, this year's
  remaining work (下半年, 四季度), a five-year plan not yet begun (“十五五”时期 → 2026–2030).
"""
from __future__ import annotations

import re

from ..lexicon.cues import (
    BYLINE_LINE,
    DATELINE_CREDIT,
    DATELINE_EVENT,
    FIVE_YEAR_PERIOD,
    FIVE_YEAR_PLANS,
    HEADING_1,
    HEADING_2,
    PLAN_ENDING_NOW,
    PLAN_STARTING_NEXT,
    PLAN_STARTING_NOW,
    PLANNED_YEAR,
    PLANS_NEXT_YEAR,
    PLANS_THIS_YEAR,
    REPORTER_ROLE,
    REVIEWED_YEAR,
    SINCE_START_OF_YEAR,
)
from ..lexicon.patterns import FULL_DATE, ISO_DATE, MONTH_DAY, text_years
from ..types import DocumentMeta
from .layout import Block, is_byline, is_caption, reflow_blocks
from .sentences import has_sentence_end, split_sentences

DATELINE_CHARS = 400  # a dateline sits at the start of the article
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_DOUBLED = re.compile(r"^(.{4,}?)\1[—\-–。.\s]*$")
# What a first sentence starts with that is no part of a title: a list number, a dateline.
_LEADING_MARKS = re.compile(r"^(?:[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、"
                            r"|(?:本报讯|[\u4e00-\u9fff]{2,6}[讯电])\s*(?:[（(][^）)]{0,40}[）)])?)")


def _lines(block: Block) -> list[str]:
    """The raw lines a block was joined from (where its offsets jump)."""
    lines, start = [], 0
    for i in range(1, len(block.offsets) + 1):
        if i == len(block.offsets) or block.offsets[i] != block.offsets[i - 1] + 1:
            lines.append(block.text[start:i].strip())
            start = i
    return [ln for ln in lines if ln]


def _headline_like(text: str) -> bool:
    return (4 <= len(text) <= 60 and not has_sentence_end(text) and not is_byline(text)
            and not is_caption(text) and not HEADING_1.match(text) and not HEADING_2.match(text)
            and not BYLINE_LINE.match(text) and not re.search(r"(.{4,})\1", text))  # garbled duplicates


def infer_title(blocks: list[Block], hint: str = "") -> str:
    """The headline: the format's title, else the first headline block (with a ——subtitle),
    else a headline after the last paragraph (page dumps print headlines last), else the
    first sentence."""
    if hint.strip():
        return hint.strip()
    lines = [ln for b in blocks for ln in _lines(b)] if blocks else []
    body = [i for i, b in enumerate(blocks) if has_sentence_end(b.text)]
    first_body = body[0] if body else len(blocks)
    lead = [ln for b in blocks[:first_body] for ln in _lines(b)]
    for i, line in enumerate(lead):
        if _headline_like(line) and not line.startswith("——"):
            subtitle = lead[i + 1] if i + 1 < len(lead) and lead[i + 1].startswith("——") else ""
            return line + subtitle
    trailing = [ln for b in blocks[(body[-1] + 1) if body else len(blocks):] for ln in _lines(b)]
    doubled = [m.group(1) for ln in trailing for m in [_DOUBLED.match(ln)] if m]  # printed twice: the headline
    for text in doubled:
        if _headline_like(text):
            return text
    sentence = split_sentences(blocks[0].text)[0] if blocks else ""
    sentence = _LEADING_MARKS.sub("", sentence)
    return sentence.rstrip("。！？!?")[:30] or (lines[0][:30] if lines else "")


def infer_bylines(blocks: list[Block]) -> tuple[str, ...]:
    """Reporters named in datelines (本报讯（记者 赵雪 通讯员 孙立新）) and byline lines."""
    found: list[str] = []
    texts = [b.text for b in blocks] + [ln for b in blocks for ln in _lines(b)]
    credits = [m.group(1) for t in texts[:len(blocks)] for m in DATELINE_CREDIT.finditer(t)]
    credits += [m.group(1) for t in texts for m in [BYLINE_LINE.match(t.strip())] if m]
    for credit in credits:
        if re.search(r"摄|航拍|供图", credit):
            continue
        if not REPORTER_ROLE.search(credit):
            continue
        for name in re.split(r"[\s　·、，,]+|" + REPORTER_ROLE.pattern, credit):
            if _NAME.match(name or "") and name not in found:
                found.append(name)
    return tuple(found)


def _five_year(name: str) -> tuple[int, int] | None:
    return FIVE_YEAR_PLANS.get(name) or FIVE_YEAR_PLANS.get(f"十{name[-2]}五" if len(name) > 2 else name)


def _document_year(text: str, month: int | None) -> int | None:
    """The year a document is written in, from how it talks about time (no full date given)."""
    head = text[:DATELINE_CHARS * 3]
    for pattern, pick in ((PLAN_STARTING_NOW, 0), (PLAN_ENDING_NOW, 1), (PLAN_STARTING_NEXT, -1)):
        m = pattern.search(text)
        if m:
            plan = _five_year(next(g for g in m.groups() if g))
            if plan:
                return plan[0] if pick == 0 else plan[1] if pick == 1 else plan[0] - 1
    reviewed = [int(next(g for g in m.groups() if g)) for m in REVIEWED_YEAR.finditer(text)]
    planned = [int(next(g for g in m.groups() if g)) for m in PLANNED_YEAR.finditer(head)]
    late = month is None or month >= 10  # a year-end meeting reviews this year, plans the next
    if reviewed:
        return reviewed[0] if late and month is not None else reviewed[0] + 1
    if planned:
        return planned[0] - 1 if late else planned[0]
    years = sorted(text_years(text))
    return years[-1] if years else None


def infer_date(text: str, hint: str = "") -> str:
    """ISO date (or year-month, or year) of the document; "" when the text gives no clue."""
    m = ISO_DATE.match(hint or "")
    if m:
        return "-".join(m.groups())
    full = FULL_DATE.search(text[:DATELINE_CHARS])
    if full:
        y, mo, d = (int(g) for g in full.groups())
        return f"{y:04d}-{mo:02d}-{d:02d}"
    month_day = None
    for md in MONTH_DAY.finditer(text):
        context = text[max(0, md.start() - 30): md.end() + 40]
        if DATELINE_EVENT.search(context):
            month_day = (int(md.group(1)), int(md.group(2)))
            break
    year = _document_year(text, month_day[0] if month_day else None)
    if year is None:
        full = FULL_DATE.search(text)
        return "{:04d}-{:02d}-{:02d}".format(*(int(g) for g in full.groups())) if full else ""
    if month_day:
        return f"{year:04d}-{month_day[0]:02d}-{month_day[1]:02d}"
    if REVIEWED_YEAR.search(text):
        return f"{year:04d}-01"  # an undated review of the past year: the next January's report
    return str(year)


def infer_years(text: str, date: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(reports_on, plans_for) of a document dated ``date``."""
    if not date:
        years = sorted(text_years(text))
        return tuple(years[-1:]), ()
    year = int(date[:4])
    month = int(date[5:7]) if len(date) >= 7 else None
    reviewed = sorted({int(next(g for g in m.groups() if g)) for m in REVIEWED_YEAR.finditer(text)})
    reviewed = [y for y in reviewed if y <= year]
    if reviewed:
        reports = reviewed[-1]
    elif month is not None and month <= 3 and (year - 1) in text_years(text):
        reports = year - 1
    else:
        reports = year
    plans: set[int] = set()
    for m in PLANNED_YEAR.finditer(text):
        y = int(next(g for g in m.groups() if g))
        if y > reports or (y == reports == year):  # a past year's targets are reviewed, not planned
            plans.add(y)
    if PLANS_NEXT_YEAR.search(text):
        plans.add(year + 1)
    if reports == year and (month is None or month < 12) and PLANS_THIS_YEAR.search(text):
        plans.add(year)
    for m in FIVE_YEAR_PERIOD.finditer(text):
        name = next(g for g in m.groups() if g)
        plan = _five_year(name if name.endswith("五") and len(name) == 3 else f"{name}五")
        if plan and plan[0] > year:
            plans.update(range(plan[0], plan[1] + 1))
    return (reports,), tuple(sorted(plans))


def infer_meta(doc_id: str, text: str, *, title_hint: str = "", date_hint: str = "") -> DocumentMeta:
    """Metadata of a document read from its extracted text (and its format's title/date)."""
    blocks = reflow_blocks(text)
    clean = "\n".join(b.text for b in blocks)
    date = infer_date(clean, date_hint)
    reports, plans = infer_years(clean, date)
    uses_since = bool(SINCE_START_OF_YEAR.search(clean))
    note = "inferred from the text" + ("; 今年以来/前三季度 read relative to the date" if uses_since else "")
    return DocumentMeta(doc_id=doc_id, title=infer_title(blocks, title_hint), date=date, reports_on=reports,
                        plans_for=plans, inferred=True, note=note, bylines=infer_bylines(blocks))
