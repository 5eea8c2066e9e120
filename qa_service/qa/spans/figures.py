"""Figures of the asked kind inside a sentence, each scored by how well its own clause fits the
question (总投资80亿元的智算中心产业园 → 80亿元 for a question about the park)."""
from __future__ import annotations

import re

from ...lexicon.cues import (AND_BETWEEN_FIGURES, CLASSIFIER_IN_QUESTION, FIGURE_UNITS, JOINING, MONEY_WORDS,
                             PART_YEAR_PERIODS, PERIODS, RESPECTIVELY)
from ...lexicon.patterns import RANK, STREAK, YEAR_IN_TEXT, figures, quoted_figures, strip_ws, unit_figure
from ..analysis import QueryAnalysis
from ..params import SPAN_WEIGHTS, SpanWeights
from ..signals import ScoringContext

_FIGURE_CLAUSE = re.compile(r"[^，,；;：:、]*[，,；;：:、]?")
_CLAUSE_BREAK = re.compile(r"[，,；;：:。！？]")
_JOINED = re.compile(JOINING)
_JOINED_ONLY = re.compile(rf"\s*{JOINING}\s*")  # nothing but a joining word between two figures
_DIGIT = re.compile(r"\d")
_TIME = re.compile("|".join(sorted({*PERIODS, *PART_YEAR_PERIODS}, key=len, reverse=True)) + "|" + YEAR_IN_TEXT.pattern)


def figure_clauses(sentence: str) -> list[tuple[int, int]]:
    """The phrases a figure is judged by: the sentence cut at its punctuation (、 included), and at
    a joining word with a number in digits on each side in one piece (年产6万吨三氯氧磷及 |
    年产1.5万吨磷酸三乙酯; a figure in Chinese numerals on one side does not cut)."""
    out = []
    for m in _FIGURE_CLAUSE.finditer(sentence):
        start, end = m.span()
        if end == start:
            continue
        for joined in AND_BETWEEN_FIGURES.finditer(sentence, start, end):
            if _DIGIT.search(sentence, start, joined.start()) and _DIGIT.search(sentence, joined.end(), end):
                out.append((start, joined.end()))
                start = joined.end()
        out.append((start, end))
    return out


def in_its_time(sentence: str, clause: tuple[int, int]) -> str:
    """The clause as read in its sentence: a year or period stated earlier in the sentence is the
    time of every clause after it that states none of its own (上半年开工海绵工程项目22个、…，完成537户
    “四小”餐饮场所质量提升: the 537 are the first half's too), so it is read with that time before it."""
    text = sentence[clause[0]:clause[1]]
    if _TIME.search(text):
        return text
    earlier = "".join(m.group(0) for m in _TIME.finditer(sentence, 0, clause[0]))
    return earlier + text


def _anchors(sentence: str, analysis: QueryAnalysis) -> list[tuple[int, int]]:
    """Where each occurrence of a question term (or synonym) is in the sentence: [start, end)."""
    lowered = sentence.lower()
    return [m.span() for group in (*analysis.term_groups, *analysis.translated) for word in group
            for m in re.finditer(re.escape(word.lower()), lowered)]


def figure_candidates(sentence: str, analysis: QueryAnalysis) -> list[tuple[int, int]]:
    """Figures (or ranks) of the kind the question asks for; figures quoted in it excluded."""
    if analysis.unit == "rank":
        return [m.span() for m in RANK.finditer(sentence)]
    if analysis.unit == "streak":
        return [m.span() for m in STREAK.finditer(sentence)]
    in_question = quoted_figures(analysis.question)
    spans = [m.span() for m in figures(sentence)
             if strip_ws(m.group(0)) not in in_question
             and not sentence[:m.start()].endswith("第")]  # 第5名 is a rank, not a count
    if analysis.unit in FIGURE_UNITS:
        unit = unit_figure(analysis.unit)
        spans = [s for s in spans if unit.search(sentence[s[0]:s[1]])]
        if analysis.unit == "money":  # "5000万元以上项目" names a project size, not an amount
            spans = [s for s in spans if not re.match(r"\s*以上项目", sentence[s[1]:s[1] + 5])]
    return spans


def respective_figures(sentence: str, spans: list[tuple[int, int]], analysis: QueryAnalysis,
                       ctx: ScoringContext) -> list[tuple[int, int]]:
    """``spans``, with the figures a "respectively" gives read together: a clause that joins things
    before 分别 and gives as many figures after it pairs them in order (全市农民专业合作社、家庭农场
    分别达到7297个、5403个: 5403个 is the family farms'), so when the question fits one of the things
    better than every other, its figure is the answer; otherwise the figures after 分别, one after
    another, answer together, since no one of them is the whole answer (城乡特困人员基本生活标准
    分别提高7%、20%: the town's and the country's)."""
    m = RESPECTIVELY.search(sentence)
    if m is None:
        return spans
    start = max((b.end() for b in _CLAUSE_BREAK.finditer(sentence, 0, m.start())), default=0)
    stop = _CLAUSE_BREAK.search(sentence, m.end())
    end = stop.start() if stop else len(sentence)
    things = [t for t in _JOINED.split(sentence[start:m.start()]) if t.strip()]
    paired = [s for s in spans if m.end() <= s[0] < end]
    if len(things) >= 2 and len(paired) == len(things):
        fits = [ctx.coverage(thing, analysis) for thing in things]
        best = max(fits)
        if best > 0 and fits.count(best) == 1:
            return [paired[fits.index(best)]]
    if len(paired) >= 2 and all(_JOINED_ONLY.fullmatch(sentence, a[1], b[0]) for a, b in zip(paired, paired[1:])):
        return [s for s in spans if s not in paired] + [(paired[0][0], paired[-1][1])]
    return spans


def score_figures(sentence: str, analysis: QueryAnalysis, ctx: ScoringContext, *,
                  weights: SpanWeights = SPAN_WEIGHTS) -> list[tuple[float, tuple[int, int]]]:
    """Each candidate figure scored by how much of the question its own clause covers, ties
    broken by closeness after a question term."""
    spans = respective_figures(sentence, figure_candidates(sentence, analysis), analysis, ctx)
    if not spans:
        return []
    clauses = figure_clauses(sentence)
    found = _anchors(sentence, analysis)
    anchors = [end for _, end in found]
    starts = {start for start, _ in found}
    asks_money = bool(MONEY_WORDS.search(analysis.question))
    quoted = quoted_figures(analysis.question)
    classifier = CLASSIFIER_IN_QUESTION.search(analysis.question)
    scored = []
    for span in spans:
        clause = next(((s, e) for s, e in clauses if s <= span[0] < e), (0, len(sentence)))
        clause_text = in_its_time(sentence, clause)
        score = ctx.coverage(clause_text, analysis)
        if any(f in strip_ws(clause_text) for f in quoted):
            score += weights.quoted_figure  # "10亿元以上项目50个" answers "多少个10亿元以上项目"
        if classifier and classifier.group(1) in sentence[span[0]:span[1]]:
            score += weights.classifier  # 多少个项目 is counted in 个, not in 次
        if analysis.terms:  # every question word counts a little, verbs (开复工) included
            score += weights.question_terms * sum(t in clause_text.lower() for t in analysis.terms) / len(analysis.terms)
        # the term just before the figure (粮食产量94亿斤), or the counted noun right after it
        # (38个产品 for a question about 产品): both at distance 0
        before = [span[0] - a for a in anchors if a <= span[0]] + ([0] if span[1] in starts else [])
        score += weights.closeness / (1 + min(before)) if before else 0.0
        if analysis.unit is None and not asks_money and re.search(r"元", sentence[span[0]:span[1]]):
            score += weights.unasked_money  # amounts of money answer questions that mention money
        scored.append((score, span))
    return scored


def pick_figure(sentence: str, analysis: QueryAnalysis, ctx: ScoringContext) -> tuple[int, int] | None:
    """The best-scored figure of the asked kind in ``sentence``."""
    scored = score_figures(sentence, analysis, ctx)
    return max(scored, key=lambda t: t[0])[1] if scored else None
