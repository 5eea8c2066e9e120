"""Answer selection: each passage's best answer sentence, then the answer or an abstention.

Nothing is generated: the answer is a sentence (or ；-clause of a long sentence) of a retrieved
passage, and the span a substring of it (``spans``). Candidates are worked out once per passage
(``answer_candidates``); the answer-aware re-ranking and the final choice both read them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..corpus.sentences import UNIT_END, answer_units, is_short_clause, parallel_runs
from ..lexicon.cues import ABSTRACT_KIND
from ..types import AnswerSpan, Hit, Passage
from .analysis import QueryAnalysis
from .linear import Linear
from .params import ANSWER_WEIGHTS, AnswerWeights
from .signals import ScoringContext, covered_chars, has_key_concept, period_conflict, plan_level
from .spans import (asked_ordinal, enumeration_number, find_span, list_count, list_head, list_items, names_kind,
                    score_figures)
from .spans.clauses import asked_verb

# Spans whose shape the question demands: without one the service abstains.
_SHAPED = ("when", "who")


@dataclass(frozen=True)
class AnswerCandidate:
    """A passage's best answer sentence: its score (independent of rank) and offsets in the text."""

    score: float
    passage_id: str
    start: int  # the sentence, [start, end) in the passage text
    end: int
    span: tuple[int, int] | None  # the key span, relative to the sentence
    features: tuple[float, ...] = ()  # the sentence's ``SENTENCE_FEATURES``


# What a candidate answer sentence is scored on: the hand-set weights (``AnswerWeights``) or a
# learned model (``qa-service train``) combine them.
SENTENCE_FEATURES = ("coverage", "evidence", "shaped", "list_head", "list_items", "list_count", "figure",
                     "plan_mismatch", "repeats", "asked_verb", "lead", "dense", "ordinal")
_MAX_ITEMS = 10  # more enumerated items than this say nothing more


def _list_features(sentence: str, span: tuple[int, int], question: str) -> tuple[float, float, float]:
    """(asked kind named: 1 / -1 / 0, enumerated items beyond the first, announced count: 1 / -1 / 0)."""
    head = list_head(question)
    # a list of the asked kind answers the question; a list of something else much less so (not
    # naming a kind its items are of by their role says nothing: ``ABSTRACT_KIND``)
    kind = (1.0 if names_kind(sentence[span[0]:span[1]], head[-1]) else 0.0 if ABSTRACT_KIND.search(head)
            else -1.0) if head else 0.0
    items = len(list_items(sentence[span[0]:span[1]]))
    expected = list_count(question)  # a question that announces a count wants a list of that many
    count = (1.0 if items == expected else -1.0) if expected else 0.0
    return kind, float(min(items - 1, _MAX_ITEMS)), count


def _is_heading(sentence: str) -> bool:
    """A short sentence of one clause that heads what follows it in the paragraph (四要强化实干作风。
    深化营商环境改革。); one that ends with a semicolon is an item of what it belongs to."""
    return is_short_clause(sentence) and not sentence.rstrip().endswith(("；", ";"))


def _ordinal_fit(asked: int | None, number: int | None) -> float:
    """1 when the question asks for item N of an enumeration and the sentence is item N (二是…:
    ``number``), -1 when it is another item, 0 otherwise."""
    if asked is None or number is None:
        return 0.0
    return 1.0 if number == asked else -1.0


def hand_score(f: Sequence[float], w: AnswerWeights = ANSWER_WEIGHTS) -> float:
    """The hand-set combination of ``SENTENCE_FEATURES`` (the rules mode, and no learned model)."""
    (_, evidence, shaped, kind, items, count, figure, plan_mismatch, repeats, *_) = f
    score = evidence + w.shaped * shaped
    score += w.list_head_match if kind > 0 else w.list_head_miss if kind < 0 else 0.0
    score += min(w.list_items_cap, w.list_item * items)  # fuller lists first
    score += w.list_count_match if count > 0 else w.list_count_miss if count < 0 else 0.0
    score += w.figure * figure + w.plan_mismatch * plan_mismatch + w.repeats_question * repeats
    return score


def sentence_similarities(hits: Sequence[Hit], ctx: ScoringContext, query: np.ndarray | None
                          ) -> dict[str, np.ndarray]:
    """Each hit's answer sentences' cosine with the question's vector, in ``answer_units`` order.
    Empty without a query vector or an index of sentence vectors. (Measured against the cosine
    less the best among the hits' sentences, which would even out the lower cosines an English
    question gets: ranking and answers came out worse, dev Hit@1 0.932 -> 0.919.)"""
    if query is None or ctx.sentences is None:
        return {}
    return {h.passage.passage_id: ctx.sentences.similarities(h.passage.passage_id, query) for h in hits}


def clause_similarities(hits: Sequence[Hit], ctx: ScoringContext, query: np.ndarray | None
                        ) -> dict[str, list[np.ndarray]]:
    """Each hit's answer sentences' clauses' cosines with the question's vector (one array per
    sentence, ``answer_units`` order); empty without a query vector or clause vectors."""
    if query is None or ctx.sentences is None:
        return {}
    return {h.passage.passage_id: ctx.sentences.clause_similarities(h.passage.passage_id, query) for h in hits}


def sentence_features(p: Passage, analysis: QueryAnalysis, ctx: ScoringContext, *,
                      weights: AnswerWeights = ANSWER_WEIGHTS, similarity: np.ndarray | None = None,
                      clause_similarity: Sequence[np.ndarray] | None = None
                      ) -> list[tuple[int, int, tuple[int, int] | None, tuple[float, ...]]]:
    """Every sentence of the passage that may answer: (start, end, key span, ``SENTENCE_FEATURES``).
    None qualifies in a passage about another year, or one that covers too little of the question.
    ``similarity``: the passage's row of ``sentence_similarities``; without it "dense" is NaN
    (not measured: the learned model counts it as average). ``clause_similarity``: the passage's
    entry of ``clause_similarities``, for the choice of a clause as the span."""
    if analysis.years and ctx.year_score(p, analysis) < 0:
        return []  # the passage is about another year than the one asked
    if ctx.names_missing(p, analysis):
        return []  # or about another place or session than the one asked about (``names_missing``)
    if ctx.coverage(f"{p.title} {p.section} {p.text}", analysis) < ctx.thresholds.min_passage_coverage:
        return []
    verb = asked_verb(analysis)
    ordinal = asked_ordinal(analysis.question)
    out = []
    intro = ""  # what an enumeration's items are about: the sentence before 一是… (…问题仍未解决。一是…)
    heading = ""  # what the sentences after a heading (四要强化实干作风。) are about
    units = answer_units(p.text)
    headings = []  # the heading in effect before each unit
    for index, (start, end) in enumerate(units):
        headings.append(heading)
        sentence = p.text[start:end]
        number = enumeration_number(sentence)
        item = number is not None
        if not item:
            intro = sentence
        if period_conflict(sentence, analysis):
            continue
        heads = _is_heading(sentence)
        under = "" if heads else heading
        context = (f"{p.title} {p.section} {under} {intro} {sentence}" if item
                   else f"{p.title} {p.section} {under} {sentence}")
        if heads:
            heading = sentence
        unit_cov = _covers(context, analysis, ctx)
        if unit_cov is None:
            continue
        clauses = clause_similarity[index] if clause_similarity and index < len(clause_similarity) else None
        span, shaped = find_span(sentence, analysis, ctx, clause_similarity=clauses)
        if not shaped and (analysis.qtype in _SHAPED or analysis.unit is not None):
            continue
        plan = plan_level(p.section, sentence)
        if (analysis.qtype == "how_much" and analysis.years and plan == 2 and not analysis.asks_plan
                and analysis.interrogative):
            continue  # a target is no answer to "how much was it in 2023" (a keyword query has no tense)
        kind = items = count = figure = 0.0
        if analysis.qtype == "list" and shaped:
            kind, items, count = _list_features(sentence, span, analysis.question)
        if analysis.qtype == "how_much" and shaped:
            figure = max((f for f, s in score_figures(sentence, analysis, ctx) if s == span), default=0.0)
        # a target figure answers "要/计划…" questions, a result the others
        plan_mismatch = float(analysis.qtype == "how_much" and (plan > 0) != analysis.asks_plan)
        dense = float(similarity[index]) if similarity is not None and index < len(similarity) else math.nan
        out.append((start, end, span, _row(sentence, context, unit_cov, analysis, ctx, weights, verb,
                                           shaped=shaped, list_features=(kind, items, count), figure=figure,
                                           plan_mismatch=plan_mismatch, lead=index == 0, dense=dense,
                                           ordinal=_ordinal_fit(ordinal, number))))
    if analysis.qtype == "list":
        out.extend(_run_features(p, analysis, ctx, units, headings, similarity, weights, verb))
    return out


def _run_features(p: Passage, analysis: QueryAnalysis, ctx: ScoringContext, units: tuple[tuple[int, int], ...],
                  headings: Sequence[str], similarity: np.ndarray | None, weights: AnswerWeights, verb: str
                  ) -> list[tuple[int, int, tuple[int, int] | None, tuple[float, ...]]]:
    """A list written as sentences (``parallel_runs``: 要夯实政治根基。要建强干部队伍。…) as one more
    answer to a list question: the run from its first item to its last, its items those sentences,
    read with the sentence before it (七要深入实施固本强基行动…。), which says what they are
    items of, and the heading in effect there (``headings``: 特别强调一下疫情防控工作。… 要统一思想
    认识。…). Same features as a sentence's, the run's cosine the best of its and the intro's."""
    out = []
    for first, last in parallel_runs(p.text, units):
        start, end = units[first][0], units[last][1]
        run = p.text[start:end]
        intro = p.text[slice(*units[first - 1])] if first else ""
        context = f"{p.title} {p.section} {headings[first]} {intro} {run}"
        if period_conflict(run, analysis):
            continue
        unit_cov = _covers(context, analysis, ctx)
        if unit_cov is None:
            continue
        items = "、".join(p.text[a:b].strip().rstrip(UNIT_END) for a, b in units[first:last + 1])
        cosines = [float(similarity[i]) for i in range(max(first - 1, 0), last + 1)
                   if similarity is not None and i < len(similarity)]
        span = (0, len(run.rstrip(UNIT_END + " ")))
        out.append((start, end, span, _row(run, context, unit_cov, analysis, ctx, weights, verb, shaped=True,
                                           list_features=_list_features(items, (0, len(items)), analysis.question),
                                           lead=first == 0, dense=max(cosines) if cosines else math.nan)))
    return out


def _covers(context: str, analysis: QueryAnalysis, ctx: ScoringContext) -> float | None:
    """The share of the question an answer's context covers (``ScoringContext.coverage``), or None
    when that is below the floor or the context lacks the question's key concept."""
    unit_cov = ctx.coverage(context, analysis)
    if unit_cov < ctx.thresholds.min_unit_coverage or not has_key_concept(context, analysis, ctx, unit_cov):
        return None
    return unit_cov


def _row(text: str, context: str, unit_cov: float, analysis: QueryAnalysis, ctx: ScoringContext,
         weights: AnswerWeights, verb: str, *, shaped: bool, list_features: tuple[float, float, float],
         lead: bool, dense: float, figure: float = 0.0, plan_mismatch: float = 0.0, ordinal: float = 0.0
         ) -> tuple[float, ...]:
    """The ``SENTENCE_FEATURES`` of an answer (a sentence or a run of them) read in ``context``,
    in their order: the one place that order is written."""
    evidence = ctx.coverage(context, analysis, predicates=True) if analysis.predicates else unit_cov
    # an answer that only repeats the question tells nothing
    repeats = float(len(text) - covered_chars(text, analysis) < weights.min_new_chars)
    return (unit_cov, evidence, float(shaped), *list_features, figure, plan_mismatch, repeats,
            float(bool(verb) and verb in text.lower()), float(lead), dense, ordinal)


def best_in_passage(p: Passage, analysis: QueryAnalysis, ctx: ScoringContext, *,
                    weights: AnswerWeights = ANSWER_WEIGHTS, model: Linear | None = None,
                    similarity: np.ndarray | None = None,
                    clause_similarity: Sequence[np.ndarray] | None = None) -> AnswerCandidate | None:
    """The passage's best answer sentence (rank-independent score), or None if it has none.
    Scored by ``model`` (the learned sentence model) when given, else by the hand-set weights."""
    rows = sentence_features(p, analysis, ctx, weights=weights, similarity=similarity,
                             clause_similarity=clause_similarity)
    if not rows:
        return None
    if model is not None:
        scores = model.logit(np.asarray([f for *_, f in rows], dtype=np.float64)).tolist()
    else:
        scores = [hand_score(f, weights) for *_, f in rows]
    best = max(range(len(rows)), key=lambda i: (scores[i], -i))  # ties go to the earlier sentence
    start, end, span, features = rows[best]
    return AnswerCandidate(float(scores[best]), p.passage_id, start, end, span, features)


def answer_candidates(hits: Sequence[Hit], analysis: QueryAnalysis, ctx: ScoringContext, *,
                      model: Linear | None = None, similarities: Mapping[str, np.ndarray] | None = None,
                      clause_sims: Mapping[str, Sequence[np.ndarray]] | None = None
                      ) -> dict[str, AnswerCandidate | None]:
    """``best_in_passage`` of each hit, by passage id (``similarities``: ``sentence_similarities``,
    ``clause_sims``: ``clause_similarities``)."""
    sims, clauses = similarities or {}, clause_sims or {}
    return {hit.passage.passage_id: best_in_passage(hit.passage, analysis, ctx, model=model,
                                                    similarity=sims.get(hit.passage.passage_id),
                                                    clause_similarity=clauses.get(hit.passage.passage_id))
            for hit in hits}


def choose_answer(hits: Sequence[Hit], candidates: Mapping[str, AnswerCandidate | None], *,
                  weights: AnswerWeights = ANSWER_WEIGHTS) -> AnswerSpan | None:
    """The best candidate among the top ``weights.consider`` hits (a lower rank costs a little),
    or None to abstain. ``candidates`` must hold every one of those hits."""
    best: tuple[float, Hit, AnswerCandidate] | None = None
    for hit in hits[:weights.consider]:
        candidate = candidates[hit.passage.passage_id]
        if candidate is not None:
            adjusted = candidate.score - weights.rank_penalty * (hit.rank - 1)
            if best is None or adjusted > best[0]:
                best = (adjusted, hit, candidate)
    if best is None:
        return None
    _, hit, c = best
    text = hit.passage.text
    span_start, span_end = (c.start + c.span[0], c.start + c.span[1]) if c.span else (c.start, c.start)
    return AnswerSpan(text=text[c.start:c.end], span=text[span_start:span_end],
                      passage_id=hit.passage.passage_id, citation=hit.rank,
                      sentence_start=c.start, sentence_end=c.end, span_start=span_start, span_end=span_end)
