"""Answer extraction: the best sentence of the top passages, its key span, or abstention.

Nothing is generated: the answer is a sentence (or ；-clause of a long sentence) of a
retrieved passage, and the span a substring of it — a figure with its unit, a rank, a date,
a person's name, a list, or the clause that holds what was asked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .query import QueryAnalysis
from .retrieve import coverage, year_score
from .types import AnswerSpan, Document, Hit

_NUMBER = r"\d+(?:\.\d+)?"
_QUALIFIER = r"(?:左右|以上|以内|以下|余|多)?"
_UNITS = {
    "percent": r"(?:%|‰|倍|个百分点)",
    "money": r"(?:[万亿千百]*(?:元|美元))",
    "people": r"(?:[万千]?(?:人|名)(?!次))",
    "visits": r"(?:[万亿]?人次)",
    "area": r"(?:[万]?亩|平方公里|平方米)",
    "grain": r"(?:[万亿]?(?:斤|公斤|吨))",
    "length": r"(?:公里|千米|米)",
    "duration": r"(?:年|个月|天|小时|日)",
    "count": r"(?:[万千]?(?:个|项|件|座|条|家|户|所|次|场|套|笔|宗|头|只|辆|处|批|类|村|期|起|名))",
}
_ANY_UNIT = "(?:" + "|".join(_UNITS.values()) + r"|[万亿]+)"
FIGURE = re.compile(rf"(?:连续)?{_NUMBER}\s*{_ANY_UNIT}{_QUALIFIER}")
RANK = re.compile(r"(?:全省|全国|东北|全市)?(?:第[一二三四五六七八九十\d]+(?:名|位)?|唯一|首位)")
DATE = re.compile(r"(?:\d{4}\s*年)?\d{1,2}\s*月\d{1,2}\s*日|\d{4}\s*年\d{1,2}\s*月")
_TITLES = r"(?:市委书记|书记|市长|副市长|主任|局长|部长|记者|通讯员|主席|总经理|董事长)"
_NAME = re.compile(rf"{_TITLES}[、，\s]*([\u4e00-\u9fff]{{2,3}}?)(?=受|代表|作|表示|主持|指出|强调|说|在|，|、|）|\)|$)")
_LIST = re.compile(r"[“「]?[\u4e00-\u9fff]{2,8}[”」]?(?:、[“「]?[\u4e00-\u9fff]{2,8}[”」]?){2,}")
_COUNT_SUFFIX = re.compile(r"[一二三四五六七八九十两\d]+[个大项座条种类]")
_LEADING_VERB = re.compile(r"^(?:建设|做大做强|做强|打造|发展|实施|推进|培育|聚焦|包括|围绕|建成|形成|加快|紧扣)")
_UNIT_BREAK = re.compile(r"[^。！？!?；;]*[。！？!?；;]+[”’」』）)》]*|[^。！？!?；;]+$")
_CLAUSE = re.compile(r"[^，,：:]*[，,：:]?")
# Spans whose shape the question demands: without one the service abstains.
_SHAPED = ("when", "who")


@dataclass(frozen=True)
class Thresholds:
    """Abstain unless the cited passage covers enough of the question's content."""

    min_passage_coverage: float = 0.5
    min_unit_coverage: float = 0.25


def answer_units(text: str) -> list[tuple[int, int]]:
    """Sentences, with long ；-joined sentences cut into their clauses: [start, end) offsets."""
    units = []
    for m in _UNIT_BREAK.finditer(text):
        raw = m.group(0)
        start = m.start() + len(raw) - len(raw.lstrip())
        end = m.start() + len(raw.rstrip())
        if end > start:
            units.append((start, end))
    return units


def _anchor_ends(sentence: str, analysis: QueryAnalysis) -> list[int]:
    lowered = sentence.lower()
    ends = []
    for group in analysis.term_groups:
        for word in group:
            for m in re.finditer(re.escape(word.lower()), lowered):
                ends.append(m.end())
    return ends


def pick_figure(sentence: str, analysis: QueryAnalysis) -> tuple[int, int] | None:
    """The figure of the asked kind nearest after the question's terms (生产总值实现 → 451.83亿元)."""
    if analysis.unit == "rank":
        m = RANK.search(sentence)
        return m.span() if m else None
    in_question = {re.sub(r"\s", "", f) for f in FIGURE.findall(analysis.question)}
    spans = [m.span() for m in FIGURE.finditer(sentence)
             if re.sub(r"\s", "", m.group(0)) not in in_question]
    if analysis.unit in _UNITS:
        unit = re.compile(rf"{_NUMBER}\s*{_UNITS[analysis.unit]}")
        spans = [s for s in spans if unit.search(sentence[s[0]:s[1]])]
        if analysis.unit == "money":
            spans = [s for s in spans if not re.search(r"\d\s*[万千]?元以上项目", sentence[s[0]:s[1] + 4])]
    if not spans:
        return None
    anchors = _anchor_ends(sentence, analysis)
    if not anchors:
        return spans[0]

    def distance(span: tuple[int, int]) -> int:
        before = [span[0] - a for a in anchors if a <= span[0]]
        return min(before) if before else 1000 + min(abs(span[0] - a) for a in anchors)

    return min(spans, key=distance)


def pick_name(sentence: str) -> tuple[int, int] | None:
    m = _NAME.search(sentence)
    return m.span(1) if m else None


def pick_date(sentence: str) -> tuple[int, int] | None:
    m = DATE.search(sentence)
    return m.span() if m else None


def pick_list(sentence: str) -> tuple[int, int] | None:
    best = None
    for m in _LIST.finditer(sentence):
        start, end = m.span()
        lead = _LEADING_VERB.match(sentence[start:end])
        if lead:
            start += lead.end()
        tail = _COUNT_SUFFIX.search(sentence, start, end)
        if tail and tail.start() > start:
            end = tail.start()
        if best is None or end - start > best[1] - best[0]:
            best = (start, end)
    return best


def pick_clause(sentence: str, analysis: QueryAnalysis, doc_freq, n: int) -> tuple[int, int] | None:
    """The clause (between commas) that covers most of the question; ties go to the later one,
    which is where Chinese puts the new information (…考核中实现全省唯一的“四连冠”)."""
    best, best_score = None, -1.0
    for m in _CLAUSE.finditer(sentence):
        start, end = m.span()
        text = sentence[start:end].rstrip("，,：:")
        if len(text.strip()) < 2:
            continue
        score = coverage(text, analysis, doc_freq, n)
        if score >= best_score:
            best, best_score = (start, start + len(text)), score
    return best


def find_span(sentence: str, analysis: QueryAnalysis, doc_freq, n: int) -> tuple[int, int] | None:
    """The key span for the question type; None when the sentence lacks the shape asked for."""
    if analysis.qtype == "how_much":
        span = pick_figure(sentence, analysis)
        if span is None and analysis.unit is None:
            span = pick_clause(sentence, analysis, doc_freq, n)
        return span
    if analysis.qtype == "who":
        return pick_name(sentence)
    if analysis.qtype == "when":
        return pick_date(sentence)
    if analysis.qtype == "list":
        return pick_list(sentence) or pick_clause(sentence, analysis, doc_freq, n)
    return pick_clause(sentence, analysis, doc_freq, n)


def _period_conflict(sentence: str, analysis: QueryAnalysis) -> bool:
    """全年 asked but 前三季度 said (or the reverse): the figure is for another period."""
    if not analysis.periods:
        return False
    named = [p for p in ("前三季度", "上半年", "下半年", "一季度", "全年") if p in sentence]
    return bool(named) and not any(p in analysis.periods for p in named)


@dataclass(frozen=True)
class _Candidate:
    score: float
    hit: Hit
    start: int
    end: int
    span: tuple[int, int] | None


def extract_answer(hits: list[Hit], analysis: QueryAnalysis, documents: dict[str, Document],
                   doc_freq, n_passages: int, *, thresholds: Thresholds = Thresholds(),
                   consider: int = 3) -> AnswerSpan | None:
    """The best answer sentence among the top ``consider`` passages, or None to abstain."""
    best: _Candidate | None = None
    for hit in hits[:consider]:
        p = hit.passage
        if analysis.years and year_score(p, documents.get(p.doc_id), analysis) < 0:
            continue  # the passage is about another year than the one asked
        context = f"{p.title} {p.section} {p.text}"
        if coverage(context, analysis, doc_freq, n_passages) < thresholds.min_passage_coverage:
            continue
        for start, end in answer_units(p.text):
            sentence = p.text[start:end]
            if _period_conflict(sentence, analysis):
                continue
            unit_cov = coverage(f"{p.section} {sentence}", analysis, doc_freq, n_passages)
            span = find_span(sentence, analysis, doc_freq, n_passages)
            if span is None and (analysis.qtype in _SHAPED or analysis.unit is not None):
                continue
            if unit_cov < thresholds.min_unit_coverage:
                continue
            score = unit_cov + (0.2 if span else 0.0) - 0.1 * (hit.rank - 1)
            if best is None or score > best.score:
                best = _Candidate(score, hit, start, end, span)
    if best is None:
        return None
    text = best.hit.passage.text
    span_start, span_end = ((best.start + best.span[0], best.start + best.span[1]) if best.span
                            else (best.start, best.start))
    return AnswerSpan(
        text=text[best.start:best.end],
        span=text[span_start:span_end],
        passage_id=best.hit.passage.passage_id,
        citation=best.hit.rank,
        sentence_start=best.start,
        sentence_end=best.end,
        span_start=span_start,
        span_end=span_end,
    )


def highlight_terms(text: str, analysis: QueryAnalysis) -> list[tuple[int, int]]:
    """[start, end) offsets of the question's terms (and synonyms) in a passage text."""
    lowered = text.lower()
    spans = sorted(m.span() for group in analysis.term_groups for word in group if len(word) >= 2
                   for m in re.finditer(re.escape(word.lower()), lowered))
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
