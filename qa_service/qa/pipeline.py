"""The path of one question: candidates → re-ranking → answer candidates → answer or abstain.

``Answerer`` holds what a question needs from the loaded index (passages, retrievers, term
statistics) and runs the modes the evaluation compares: ``bm25``, ``dense`` and ``hybrid`` are
first-stage rankings with answer extraction on top; ``hybrid_rules`` adds the hand-weighted
signal re-ranking and the answer-aware re-ranking; ``hybrid_rerank`` (the default) ranks the
same candidates with the learned model and abstains by its calibrated probability (it is
``hybrid_rules`` when no learned model is installed).
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

from ..types import AnswerPart, AnswerSpan, Document, Hit, Passage
from .analysis import QueryAnalysis
from .answer import AnswerCandidate, answer_candidates, choose_answer, clause_similarities, sentence_similarities
from .learned import RANK_POOL, LearnedModel, abstain_features, learned_rerank, rank_features
from .linear import Linear
from .params import ANSWER_WEIGHTS, RERANK_DEPTH
from .rerank import rerank_by_answers, rerank_by_signals
from .retrieve import Retriever
from .signals import ScoringContext, SentenceIndex, highlight_terms

if TYPE_CHECKING:
    import numpy as np

MODES = ("bm25", "dense", "hybrid", "hybrid_rules", "hybrid_rerank")
DEFAULT_MODE = "hybrid_rerank"


@dataclass(frozen=True)
class Result:
    """The ranked passages of one question, the answer (None = abstain) and what to highlight."""

    hits: tuple[Hit, ...]
    answer: AnswerSpan | None
    highlights: dict[str, tuple[tuple[int, int], ...]]  # passage_id -> [start, end) in its text


def _cut(hits: Sequence[Hit], span: AnswerSpan | None, top_k: int) -> tuple[list[Hit], AnswerSpan | None]:
    """The first ``top_k`` hits, keeping the cited passage; ranks and the citation renumbered."""
    if span is None or span.citation <= top_k:
        return list(hits[:top_k]), span
    cited = hits[span.citation - 1]
    kept = [*hits[:top_k - 1], cited]
    renumbered = [Hit(h.passage, rank, h.score, h.scores) for rank, h in enumerate(kept, start=1)]
    return renumbered, dataclasses.replace(span, citation=top_k)


class Answerer:
    """Answers analysed questions over one loaded index."""

    def __init__(self, passages: Sequence[Passage], dense, bm25, embedder, documents: Mapping[str, Document],
                 doc_freq, *, learned: LearnedModel | None = None, sentences: SentenceIndex | None = None):
        self.retriever = Retriever(passages, dense, bm25, embedder, documents)
        # the rules modes score with the hand-set floors, the learned path with the model's own
        self.ctx = ScoringContext(documents=documents, doc_freq=doc_freq, n_passages=len(passages),
                                  sentences=sentences)
        self.learned = learned
        # the learned path draws its answer with the model's rank penalty (the rest as hand-set)
        self.learned_weights = (ANSWER_WEIGHTS if learned is None
                                else dataclasses.replace(ANSWER_WEIGHTS, rank_penalty=learned.rank_penalty))
        self.clause_dense = learned.clause_dense if learned is not None else (0.0, 0.0)
        self.learned_ctx = (self.ctx if learned is None
                            else self._floored(*learned.coverage_floors, learned.key_concept_waiver))

    def with_coverage_floors(self, passage: float, unit: float, key_concept_waiver: float | None = None,
                             clause_dense: tuple[float, float] | None = None) -> "Answerer":
        """This answerer with the learned path's coverage floors (and, if given, key-concept
        waiver and clause weights) set: training tries several."""
        other = copy.copy(self)
        if clause_dense is not None:
            other.clause_dense = clause_dense
        other.learned_ctx = other._floored(passage, unit, key_concept_waiver)
        return other

    def _floored(self, passage: float, unit: float, key_concept_waiver: float | None = None) -> ScoringContext:
        """The scoring context with these (passage, sentence) coverage floors and key-concept waiver
        (None: the hand-set one)."""
        waiver = self.ctx.thresholds.key_concept_waived_at if key_concept_waiver is None else key_concept_waiver
        return dataclasses.replace(self.ctx, thresholds=dataclasses.replace(
            self.ctx.thresholds, min_passage_coverage=passage, min_unit_coverage=unit,
            key_concept_waived_at=waiver), clause_dense=self.clause_dense)

    def pool(self, analysis: QueryAnalysis, *, year: int | None = None, doc_id: str | None = None) -> list[Hit]:
        """The fused candidates the learned ranking orders, in fused order."""
        return self.retriever.candidates(analysis, mode="hybrid", year=year, doc_id=doc_id)[:RANK_POOL]

    def sentence_similarities(self, hits: Sequence[Hit], analysis: QueryAnalysis) -> dict[str, "np.ndarray"]:
        """``answer.sentence_similarities`` of ``hits`` for this question (none without sentence
        vectors: the question is then not encoded for them)."""
        query = self.retriever.query_vector(analysis) if self.ctx.sentences is not None else None
        return sentence_similarities(hits, self.ctx, query)

    def clause_similarities(self, hits: Sequence[Hit], analysis: QueryAnalysis) -> dict[str, list["np.ndarray"]]:
        """``answer.clause_similarities`` of ``hits`` for this question (none without sentence
        vectors)."""
        query = self.retriever.query_vector(analysis) if self.ctx.sentences is not None else None
        return clause_similarities(hits, self.ctx, query)

    def rank_pool(self, analysis: QueryAnalysis, *, year: int | None = None, doc_id: str | None = None,
                  sentence: Linear | None = None) -> tuple[list[Hit], dict[str, AnswerCandidate | None], "np.ndarray"]:
        """The fused candidates the learned ranking orders, their answer candidates (sentences
        scored by ``sentence``, default the learned model's) and ranking features."""
        hits = self.pool(analysis, year=year, doc_id=doc_id)
        if sentence is None and self.learned is not None:
            sentence = self.learned.sentence
        similarities = self.sentence_similarities(hits, analysis)
        clause_sims = self.clause_similarities(hits, analysis)
        candidates = answer_candidates(hits, analysis, self.learned_ctx, model=sentence, similarities=similarities,
                                       clause_sims=clause_sims)
        return hits, candidates, rank_features(hits, analysis, self.learned_ctx, candidates, similarities, clause_sims)

    def answer(self, analysis: QueryAnalysis, *, top_k: int, mode: str = DEFAULT_MODE,
               year: int | None = None, doc_id: str | None = None) -> Result:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        depth = max(top_k, RERANK_DEPTH)
        if mode == "hybrid_rerank" and self.learned is not None:
            hits, candidates, features = self.rank_pool(analysis, year=year, doc_id=doc_id)
            hits = learned_rerank(hits, features, self.learned)
            span = choose_answer(hits, candidates, weights=self.learned_weights)
            if span is not None:
                x = abstain_features(hits, span.citation, candidates[span.passage_id], analysis,
                                     self.learned_ctx)
                if float(self.learned.abstention.probability(x)) < self.learned.threshold:
                    span = None  # not likely enough to be right: abstain, passages still shown
            return self._result(hits, span, analysis, top_k)
        if mode in ("hybrid_rerank", "hybrid_rules"):
            hits = self.retriever.candidates(analysis, mode="hybrid", year=year, doc_id=doc_id)
            hits = rerank_by_signals(hits, analysis, self.ctx)[:depth]
            candidates = answer_candidates(hits, analysis, self.ctx)
            hits = rerank_by_answers(hits, candidates)
        else:
            hits = self.retriever.candidates(analysis, mode=mode, year=year, doc_id=doc_id)[:depth]
            candidates = answer_candidates(hits[:ANSWER_WEIGHTS.consider], analysis, self.ctx)
        # The answer does not depend on top_k: it is drawn from the same leading passages, and
        # the cited one is kept in the returned list (in the last slot if it ranked lower).
        return self._result(hits, choose_answer(hits, candidates), analysis, top_k)

    def _result(self, hits: Sequence[Hit], span: AnswerSpan | None, analysis: QueryAnalysis,
                top_k: int) -> Result:
        hits, span = _cut(hits, span, top_k)
        highlights = {}
        for hit in hits:
            pid = hit.passage.passage_id
            if span is not None and pid == span.passage_id:
                highlights[pid] = ((span.sentence_start, span.sentence_end),)
            else:
                highlights[pid] = tuple(highlight_terms(hit.passage.text, analysis))
        return Result(hits=tuple(hits), answer=span, highlights=highlights)


def _one_part_per_span(labels: Sequence[str], results: Sequence[Result]) -> list[Result]:
    """``results`` with each answer span kept by one part only: two parts of a question ask two
    things (two years, two metrics), and one figure of one sentence is not the answer to both,
    unless the span names each of them (双辽化工园区氯碱化工、四平新开区精细化工 answers 双辽化工园区
    and 四平新开区). The first part asking keeps it, the later ones have no answer: a later part is
    the one asked with words borrowed from the first (10亿元以上的 after 亿元以上的, how many CPPCC
    proposals after how many deputies' suggestions), the one a figure of the first's fits only
    loosely. (Keeping it for the part with the higher abstention probability instead chose the
    later part in the three dev questions where the two choices differ, wrongly each time.)"""
    sharing: dict[tuple[str, int, int], list[int]] = {}
    for i, result in enumerate(results):
        if result.answer is not None:
            span = result.answer
            sharing.setdefault((span.passage_id, span.span_start, span.span_end), []).append(i)
    dropped: set[int] = set()
    for parts in sharing.values():
        span = results[parts[0]].answer.span
        if len(parts) > 1 and not all(labels[i] in span for i in parts):
            dropped.update(parts[1:])
    return [dataclasses.replace(r, answer=None) if i in dropped else r
            for i, r in enumerate(results)]


def combine_parts(labels: Sequence[str], results: Sequence[Result], top_k: int
                  ) -> tuple[Result, tuple[AnswerPart, ...]]:
    """One result for a multi-part question: each part's cited passage first (in part order),
    then the parts' other passages interleaved by rank, ``top_k`` in all (at least one per
    part's citation); citations renumbered into the combined list. A span two parts answer
    with goes to one of them (``_one_part_per_span``)."""
    results = _one_part_per_span(labels, results)
    order: list[Hit] = []
    seen: set[str] = set()

    def take(hit: Hit) -> None:
        if hit.passage.passage_id not in seen:
            seen.add(hit.passage.passage_id)
            order.append(hit)

    for result in results:
        if result.answer is not None:
            take(result.hits[result.answer.citation - 1])
    for rank in range(max((len(r.hits) for r in results), default=0)):
        for result in results:
            if rank < len(result.hits):
                take(result.hits[rank])
    cited = sum(r.answer is not None for r in results)
    order = order[:max(top_k, cited)]
    position = {h.passage.passage_id: i for i, h in enumerate(order, start=1)}
    hits = tuple(Hit(h.passage, position[h.passage.passage_id], h.score, h.scores) for h in order)
    parts = []
    highlights: dict[str, tuple[tuple[int, int], ...]] = {}
    for label, result in zip(labels, results):
        span = None
        if result.answer is not None:
            span = dataclasses.replace(result.answer, citation=position[result.answer.passage_id])
            pid = span.passage_id
            highlights[pid] = tuple(sorted({*highlights.get(pid, ()), (span.sentence_start, span.sentence_end)}))
        parts.append(AnswerPart(label=label, answer=span))
    for result in results:
        for pid, spans in result.highlights.items():
            if pid in position and pid not in highlights:
                highlights[pid] = spans
    first = next((p.answer for p in parts if p.answer is not None), None)
    return Result(hits=hits, answer=first, highlights=highlights), tuple(parts)
