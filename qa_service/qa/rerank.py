"""Re-ranking of fused candidates by evidence the fused rank cannot see.

First the passage signals: how much of the question's content a passage covers, whether its
document reports on the year asked about, whether it states a figure for a how-much question,
whether it names the asked period. Then reader-style: a passage holding a well-fitting answer
sentence moves up.
"""
from __future__ import annotations

from typing import Mapping

from ..types import Hit
from .analysis import QueryAnalysis
from .answer import AnswerCandidate
from .params import RANK_WEIGHTS, RankWeights
from .signals import ScoringContext, has_figure


def rerank_by_signals(hits: list[Hit], analysis: QueryAnalysis, ctx: ScoringContext, *,
                      weights: RankWeights = RANK_WEIGHTS) -> list[Hit]:
    """Score = fused score / best fused score + weighted signals; ``scores`` gains coverage and year."""
    best = max((h.scores["fused"] for h in hits), default=1.0)
    rescored = []
    for order, hit in enumerate(hits):
        p = hit.passage
        cov = ctx.coverage(f"{p.section} {p.text}", analysis)
        yr = ctx.year_score(p, analysis)
        fig = 1.0 if analysis.qtype == "how_much" and has_figure(p.text) else 0.0
        period = 1.0 if analysis.periods and any(x in p.text for x in analysis.periods) else 0.0
        final = (hit.scores["fused"] / best + weights.coverage * cov + weights.year * yr
                 + weights.figure * fig + weights.period * period)
        rescored.append((final, order, hit, {**hit.scores, "coverage": cov, "year": yr}))
    rescored.sort(key=lambda t: (-t[0], t[1]))
    return [Hit(hit.passage, rank, final, scores)
            for rank, (final, _, hit, scores) in enumerate(rescored, start=1)]


def rerank_by_answers(hits: list[Hit], candidates: Mapping[str, AnswerCandidate | None], *,
                      weights: RankWeights = RANK_WEIGHTS) -> list[Hit]:
    """Add each passage's best answer score (0 without one); ``scores`` gains ``answer``."""
    rescored = []
    for hit in hits:
        candidate = candidates[hit.passage.passage_id]
        answer_score = candidate.score if candidate else 0.0
        rescored.append((hit.score + weights.answer * answer_score, hit, answer_score))
    rescored.sort(key=lambda t: -t[0])
    return [Hit(hit.passage, rank, score, {**hit.scores, "answer": answer_score})
            for rank, (score, hit, answer_score) in enumerate(rescored, start=1)]
