"""Every tuning weight and threshold of the question path, in one place.

These values were set by hand on the gold set (see the README's evaluation section); the learned
ranking replaces them where a model is trained.
"""
from __future__ import annotations

from dataclasses import dataclass

RRF_K = 60  # reciprocal rank fusion constant (Cormack et al. 2009)
CANDIDATES = 50  # passages taken from each retriever before fusion
RERANK_DEPTH = 20  # fused passages the answer-aware re-ranking looks at


@dataclass(frozen=True)
class RankWeights:
    """Fusion weights and the signal weights of the re-ranking."""

    bm25: float = 1.0  # fusion weights: on the gold set BM25 alone beats the dense model alone
    dense: float = 0.5
    coverage: float = 0.6
    year: float = 0.5
    figure: float = 0.15
    period: float = 0.2
    answer: float = 0.5  # answer-aware re-ranking: weight of the passage's best answer score


@dataclass(frozen=True)
class Thresholds:
    """Abstain unless the cited passage covers enough of the question's content. (The learned
    path uses the coverage floors its model was trained with, chosen by CV: ``LearnedModel``.)"""

    min_passage_coverage: float = 0.4
    min_unit_coverage: float = 0.25
    key_concept_waived_at: float = 0.7  # coverage at which the key-concept check is waived
    key_concept_max_df_share: float = 0.3  # commoner words say nothing about the question


@dataclass(frozen=True)
class AnswerWeights:
    """How an answer sentence is scored beyond its coverage of the question."""

    shaped: float = 0.2  # the sentence holds a span of the asked shape
    list_head_match: float = 0.3
    list_head_miss: float = -0.1
    list_item: float = 0.03  # per enumerated item, up to list_items_cap
    list_items_cap: float = 0.2
    list_count_match: float = 0.3
    list_count_miss: float = -0.1
    figure: float = 0.5  # times the figure's own score
    plan_mismatch: float = -0.15  # a target for a result question or the reverse
    repeats_question: float = -0.2  # the sentence adds fewer than ``min_new_chars`` characters
    min_new_chars: int = 8
    rank_penalty: float = 0.1  # per rank below the first
    consider: int = 3  # top passages an answer is drawn from


@dataclass(frozen=True)
class SpanWeights:
    """How candidate figures and clauses inside one sentence are scored."""

    quoted_figure: float = 0.3  # the clause repeats a figure the question quotes
    classifier: float = 0.3  # the figure is counted in the question's classifier (多少个 → 个)
    question_terms: float = 0.1  # times the share of question words in the clause
    closeness: float = 0.05  # divided by 1 + distance after a question term
    unasked_money: float = -0.1  # an amount of money for a question that does not ask for one
    asked_kind: float = 0.5  # a clause naming the kind of thing asked for (什么城 → …城)
    asked_verb: float = 1.0  # a clause with the verb whose object is asked (要坚决避免什么 → 避免…)


RANK_WEIGHTS = RankWeights()
THRESHOLDS = Thresholds()
ANSWER_WEIGHTS = AnswerWeights()
SPAN_WEIGHTS = SpanWeights()
