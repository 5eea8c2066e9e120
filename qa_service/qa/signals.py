"""Scoring signals shared by re-ranking, answer selection and span finding.

Each signal reads a passage or sentence against the analysed question: how much of the
question's content it covers (idf-weighted concepts, synonyms counted together), whether its
years fit the years asked about, whether it states a figure, a target or a result.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Protocol

import numpy as np

from ..lexicon.cues import FULL_YEAR, PART_YEAR_PERIODS, PART_YEAR_SPAN, PLAN_SECTION, PLAN_STRONG, PLAN_WEAK
from ..lexicon.dictionary import places
from ..lexicon.patterns import alternatives_read, has_measured_figure, strip_ws, text_years
from ..types import Document, Passage
from .analysis import QueryAnalysis
from .params import THRESHOLDS, Thresholds


class DocFrequencies(Protocol):
    def get(self, term: str, default: int = 0) -> int: ...


class SentenceIndex(Protocol):
    """The index's answer-sentence vectors (``search.sentence_vectors.SentenceVectors``)."""

    def similarities(self, passage_id: str, query: np.ndarray) -> np.ndarray: ...

    def clause_similarities(self, passage_id: str, query: np.ndarray) -> list[np.ndarray]: ...


@dataclass(frozen=True)
class ScoringContext:
    """What the signals need to know about the corpus: documents, term statistics and the
    answer sentences' vectors."""

    documents: Mapping[str, Document]
    doc_freq: DocFrequencies
    n_passages: int
    thresholds: Thresholds = THRESHOLDS
    sentences: SentenceIndex | None = None  # None: no sentence is compared with the question's vector
    # weight of a clause's cosine with the question when choosing the clause that answers, for a
    # Chinese and an English question (``spans.pick_clause``): learned, 0 in the rules modes
    clause_dense: tuple[float, float] = (0.0, 0.0)

    def coverage(self, text: str, analysis: QueryAnalysis, *, predicates: bool = False) -> float:
        """Share of the question's content (idf-weighted concept groups) present in ``text``;
        with ``predicates``, of its content and its verbs and adjectives (a finer measure for
        choosing among sentences that all cover the content; never a floor)."""
        groups = analysis.term_groups + analysis.predicates if predicates else analysis.term_groups
        return _covered(alternatives_read(text), self._weighted_groups(groups),
                        self._weighted_groups(analysis.translated) if analysis.translated else ())

    def _weighted_groups(self, groups: tuple[tuple[str, ...], ...]) -> tuple[tuple[tuple[str, ...], float], ...]:
        """Each concept's lowered words and idf weight: computed once per question, not per text.
        A small cache on the context (its term statistics never change), reset when full."""
        cache = self.__dict__.setdefault("_weights", {})
        weighted = cache.get(groups)
        if weighted is None:
            if len(cache) >= 256:
                cache.clear()
            weighted = cache[groups] = weighted_groups(groups, self.doc_freq, self.n_passages)
        return weighted

    def year_score(self, p: Passage, analysis: QueryAnalysis) -> float:
        return year_score(p, self.documents.get(p.doc_id), analysis)

    def names_missing(self, p: Passage, analysis: QueryAnalysis) -> bool:
        """Whether the question names a place or a session the passage does not: a place by name or
        short name, in the passage itself (a figure of 四平 is no answer about 辽源, nor about 长春
        where another paragraph of the document names 长春; 吉浙合作 names 浙江), except the
        corpus's own city and province, named in every document, which the document need only
        name; a session or edition as written, in the document (the 八届八次全会's report is no
        answer about the 八届七次). Text is read without line breaks, since a name may be wrapped
        across two lines."""
        if not analysis.places and not analysis.sessions:
            return False
        doc = self.documents.get(p.doc_id)
        flat = _flat_text(doc.raw) if doc is not None else strip_ws(p.text)
        short = places().short

        def named(place: str, text: str) -> bool:
            return place in text or (place in short and short[place] in text)

        def named_here(place: str) -> bool:
            # the corpus's own city and province (named in every document) may go unsaid; any
            # other place must be named by the passage itself (read only then: 四平 is in most questions)
            if self._everywhere(place, named):
                return named(place, flat)
            return named(place, strip_ws(f"{p.title} {p.section} {p.text}"))

        return not all(named_here(place) for place in analysis.places) or not all(s in flat for s in analysis.sessions)

    def _everywhere(self, place: str, named) -> bool:
        """Whether every document names ``place`` (the corpus's own city and province)."""
        cache = self.__dict__.setdefault("_everywhere_cache", {})
        if place not in cache:
            cache[place] = bool(self.documents) and all(named(place, _flat_text(d.raw))
                                                        for d in self.documents.values())
        return cache[place]


@lru_cache(maxsize=64)  # the few documents that answer a question, each flattened once
def _flat_text(raw: str) -> str:
    return strip_ws(raw)


def idf(df: int, n: int) -> float:
    """BM25-style idf: rare content words decide coverage, corpus-wide words (四平) barely count."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def group_weight(group: tuple[str, ...], doc_freq: DocFrequencies, n: int) -> float:
    """idf of a concept: its synonyms' passages counted together; unseen words weigh most."""
    df = max((doc_freq.get(w.lower(), 0) for w in group), default=0)
    return idf(df, n)


def weighted_groups(groups: tuple[tuple[str, ...], ...], doc_freq: DocFrequencies, n: int
                    ) -> tuple[tuple[tuple[str, ...], float], ...]:
    """Each concept's lowered words with its idf weight."""
    return tuple((tuple(w.lower() for w in g), group_weight(g, doc_freq, n)) for g in groups)


def _covered(lowered: str, weighted: tuple[tuple[tuple[str, ...], float], ...],
             optional: tuple[tuple[tuple[str, ...], float], ...] = ()) -> float:
    """Found weight over asked weight; an ``optional`` concept counts only where it is found."""
    total = found = 0.0
    for words, weight in weighted:
        total += weight
        if any(w in lowered for w in words):
            found += weight
    for words, weight in optional:
        if any(w in lowered for w in words):
            total += weight
            found += weight
    return found / total if total else 0.0


def passage_years(p: Passage) -> set[int]:
    """Years the passage names in its text or section heading (二、2023年主要目标…)."""
    return text_years(f"{p.section} {p.text}")


def year_score(p: Passage, doc: Document | None, analysis: QueryAnalysis) -> float:
    """How well a passage fits the years a question names, from -1 to 1.

    A section heading that names years (二、2023年主要目标和重点工作) overrides the document's
    years; otherwise the document's metadata decides: +1 when it reports on (or, for plan
    questions, plans for) the year, +0.5 when the passage text names it, +0.25 for a results
    document asked about plans, or a plan document asked what (not how much) its years bring
    (十五五时期四平发展处于哪四期), -1 when it is about other years only —
    or when its years are unknown: an undated passage never beats a dated one, and a year no
    document covers finds no answer (the answer step skips passages scored below 0).
    """
    if not analysis.years or doc is None:
        return 0.0
    asked = set(analysis.years)
    section_years = text_years(p.section)
    if section_years:
        return 1.0 if asked & section_years else -1.0
    reports, plans = set(doc.meta.reports_on), set(doc.meta.plans_for)
    if asked & (plans if analysis.asks_plan else reports):
        return 1.0
    if asked & passage_years(p):
        return 0.5
    if analysis.asks_plan and asked & reports:
        return 0.25
    if analysis.qtype != "how_much" and asked & plans:
        return 0.25  # what a plan will do answers a question about its years; its targets are no results
    return -1.0


def has_figure(text: str) -> bool:
    return has_measured_figure(text)


def plan_level(section: str, sentence: str) -> int:
    """2: clearly a target or plan, 1: probably, 0: reads as a result."""
    if PLAN_STRONG.search(sentence) or PLAN_SECTION.search(section):
        return 2
    return 1 if PLAN_WEAK.search(sentence) else 0


def period_conflict(sentence: str, analysis: QueryAnalysis) -> bool:
    """全年 asked but 前三季度 said (or the reverse): the figure is for another period."""
    if not analysis.periods:
        return False
    named = [p for p in PART_YEAR_PERIODS if p in sentence] + (["months"] if PART_YEAR_SPAN.search(sentence) else [])
    if FULL_YEAR in analysis.periods:  # "完成全年计划74%" does not make a half-year figure annual
        named += [FULL_YEAR] if FULL_YEAR in sentence else []
    return bool(named) and not any(p in analysis.periods for p in named)


def has_key_concept(text: str, analysis: QueryAnalysis, ctx: ScoringContext, covered: float) -> bool:
    """The question's most specific concept must be in the answer context (a ratio of one thing
    does not answer a question about the ratio of another), unless the context covers most of
    the question anyway.

    Candidates for the key concept are words seen in at least two passages but not in most:
    rarer ones are mostly the asker's own wording (称号, 钱), commoner ones (四平) say nothing.
    """
    if covered >= ctx.thresholds.key_concept_waived_at:
        return True
    n = ctx.n_passages
    seen = [g for g in analysis.term_groups
            if 2 <= max(ctx.doc_freq.get(w, 0) for w in g) <= ctx.thresholds.key_concept_max_df_share * n]
    if not seen:
        return True
    key = max(seen, key=lambda g: group_weight(g, ctx.doc_freq, n))
    lowered = alternatives_read(text)
    return any(w.lower() in lowered for w in key)


def highlight_terms(text: str, analysis: QueryAnalysis) -> list[tuple[int, int]]:
    """[start, end) offsets of the question's terms (and synonyms) in a passage text."""
    lowered = text.lower()
    spans = sorted(m.span() for group in (*analysis.term_groups, *analysis.translated) for word in group if len(word) >= 2
                   for m in re.finditer(re.escape(word.lower()), lowered))
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def covered_chars(sentence: str, analysis: QueryAnalysis) -> int:
    """Characters of the sentence that repeat the question's terms."""
    return sum(e - s for s, e in highlight_terms(sentence, analysis))
