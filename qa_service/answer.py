"""Answer extraction: the best sentence of the top passages, its key span, or abstention.

Nothing is generated: the answer is a sentence (or ；-clause of a long sentence) of a
retrieved passage, and the span a substring of it — a figure with its unit, a rank, a date,
a person's name, a list, or the clause that holds what was asked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .query import QueryAnalysis
from .retrieve import coverage, group_weight, year_score
from .spans import find_span, list_count, list_head, score_figures
from .types import AnswerSpan, Document, Hit

_UNIT_BREAK = re.compile(r"[^。！？!?；;]*[。！？!?；;]+[”’」』）)》]*|[^。！？!?；;]+$")
# Spans whose shape the question demands: without one the service abstains.
_SHAPED = ("when", "who")


@dataclass(frozen=True)
class Thresholds:
    """Abstain unless the cited passage covers enough of the question's content."""

    min_passage_coverage: float = 0.4
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


# Targets and plans, as opposed to results. Strong cues decide on their own; weak ones (要…)
# only tilt the ranking, since 要 and 计划 also occur in reports of what was done.
_PLAN_STRONG = re.compile(r"力争|预期|目标是|确保|争取|计划(?:开|新|实施|建设|储备|投资)|谋划|拟|年度投资")
_PLAN_SECTION = re.compile(r"目标|部署|计划|安排|谋划")
_PLAN_WEAK = re.compile(r"目标|(?<![需主重只想])要(?=[\u4e00-\u9fff])|将要|全年计划")


def _plan_level(section: str, sentence: str) -> int:
    """2: clearly a target or plan, 1: probably, 0: reads as a result."""
    if _PLAN_STRONG.search(sentence) or _PLAN_SECTION.search(section):
        return 2
    return 1 if _PLAN_WEAK.search(sentence) else 0


def _period_conflict(sentence: str, analysis: QueryAnalysis) -> bool:
    """全年 asked but 前三季度 said (or the reverse): the figure is for another period."""
    if not analysis.periods:
        return False
    named = [p for p in ("前三季度", "上半年", "下半年", "一季度") if p in sentence]
    if "全年" in analysis.periods:  # "完成全年计划74%" does not make a half-year figure annual
        named += ["全年"] if "全年" in sentence else []
    return bool(named) and not any(p in analysis.periods for p in named)


def _covered_chars(sentence: str, analysis: QueryAnalysis) -> int:
    return sum(e - s for s, e in highlight_terms(sentence, analysis))


def _has_key_concept(text: str, analysis: QueryAnalysis, doc_freq, n: int, covered: float) -> bool:
    """The question's most specific concept must be in the answer context (空气优良天数比例 is
    not answered by 优良水体比例), unless the context covers most of the question anyway.

    Candidates for the key concept are words seen in at least two passages but not in most:
    rarer ones are mostly the asker's own wording (称号, 钱), commoner ones (四平) say nothing.
    """
    if covered >= 0.7:
        return True
    seen = [g for g in analysis.term_groups
            if 2 <= max(doc_freq.get(w, 0) for w in g) <= 0.3 * n]
    if not seen:
        return True
    key = max(seen, key=lambda g: group_weight(g, doc_freq, n))
    lowered = text.lower()
    return any(w.lower() in lowered for w in key)


@dataclass(frozen=True)
class _Candidate:
    score: float
    hit: Hit
    start: int
    end: int
    span: tuple[int, int] | None


def best_in_passage(hit: Hit, analysis: QueryAnalysis, documents: dict[str, Document], doc_freq,
                    n_passages: int, *, thresholds: Thresholds = Thresholds()) -> _Candidate | None:
    """The passage's best answer sentence (rank-independent score), or None if it has none."""
    p = hit.passage
    if analysis.years and year_score(p, documents.get(p.doc_id), analysis) < 0:
        return None  # the passage is about another year than the one asked
    if coverage(f"{p.title} {p.section} {p.text}", analysis, doc_freq, n_passages) < thresholds.min_passage_coverage:
        return None
    best: _Candidate | None = None
    for start, end in answer_units(p.text):
        sentence = p.text[start:end]
        if _period_conflict(sentence, analysis):
            continue
        context = f"{p.title} {p.section} {sentence}"
        unit_cov = coverage(context, analysis, doc_freq, n_passages)
        if unit_cov < thresholds.min_unit_coverage or not _has_key_concept(context, analysis, doc_freq,
                                                                            n_passages, unit_cov):
            continue
        span, shaped = find_span(sentence, analysis, doc_freq, n_passages)
        if not shaped and (analysis.qtype in _SHAPED or analysis.unit is not None):
            continue
        plan = _plan_level(p.section, sentence)
        if analysis.years and plan == 2 and not analysis.asks_plan:
            continue  # a target is no answer to "how much was it in 2023"
        score = unit_cov + (0.2 if shaped else 0.0)
        if analysis.qtype == "list" and shaped:
            head = list_head(analysis.question)
            if head:  # a list of 城 answers 哪几座城; a list of something else much less so
                score += 0.3 if head[-1] in sentence[span[0]:span[1]] else -0.1
            score += min(0.2, 0.03 * sentence.count("、", span[0], span[1]))  # fuller lists first
            expected = list_count(analysis.question)
            if expected:  # "八个重点产业有哪些" wants a list of eight
                score += 0.3 if sentence.count("、", span[0], span[1]) + 1 == expected else -0.1
        if analysis.qtype == "how_much" and shaped:
            figures = score_figures(sentence, analysis, doc_freq, n_passages)
            score += 0.5 * max((f for f, s in figures if s == span), default=0.0)
        if analysis.qtype == "how_much" and (plan > 0) != analysis.asks_plan:
            score -= 0.15  # a target figure answers "要/计划…" questions, a result the others
        if len(sentence) - _covered_chars(sentence, analysis) < 8:
            score -= 0.2  # a sentence that only repeats the question tells nothing
        if best is None or score > best.score:
            best = _Candidate(score, hit, start, end, span)
    return best


def extract_answer(hits: list[Hit], analysis: QueryAnalysis, documents: dict[str, Document],
                   doc_freq, n_passages: int, *, thresholds: Thresholds = Thresholds(),
                   consider: int = 3, found: dict[str, _Candidate | None] | None = None) -> AnswerSpan | None:
    """The best answer sentence among the top ``consider`` passages, or None to abstain.

    ``found`` holds ``best_in_passage`` results already computed (by passage id), e.g. by the
    answer-aware re-ranking, so they are not worked out twice.
    """
    best: _Candidate | None = None
    for hit in hits[:consider]:
        pid = hit.passage.passage_id
        candidate = (found[pid] if found is not None and pid in found
                     else best_in_passage(hit, analysis, documents, doc_freq, n_passages, thresholds=thresholds))
        if candidate is not None:
            adjusted = candidate.score - 0.1 * (hit.rank - 1)
            if best is None or adjusted > best.score:
                best = _Candidate(adjusted, hit, candidate.start, candidate.end, candidate.span)
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
