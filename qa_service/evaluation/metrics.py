"""Evaluation metrics: per-question judgements and their aggregation.

Relevance is judged by evidence containment (rule in ``qa_service.gold``). Relevant passages
are computed over *all* passages of the corpus, so nDCG's ideal ranking is right even when
the evidence appears twice.

Metrics, per mode, overall and per question type (unanswerable questions excluded from the
retrieval metrics): Hit@1/3/5/10, MRR@10 and nDCG@10 (binary relevance, computed with ranx);
answer accuracy (the whitespace-stripped gold answer is contained in the returned span, on
answerable questions; an abstention counts as wrong), exact-span accuracy, and sentence
accuracy (the gold answer is in the returned answer sentence, which tells span extraction and
sentence choice apart); wrong-year rate at top-1 (year_figure questions whose top passage comes
from a ``wrong_year_docs`` document); abstention rate on unanswerable questions and
false-abstention rate on answerable ones; wall-clock latency p50/p95 per question.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np

HIT_CUTOFFS = (1, 3, 5, 10)
RETRIEVAL_METRICS = ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10")
_RANX_NAMES = {"hit@1": "hit_rate@1", "hit@3": "hit_rate@3", "hit@5": "hit_rate@5",
               "hit@10": "hit_rate@10", "mrr@10": "mrr@10", "ndcg@10": "ndcg@10"}



# --- per-question results -------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionResult:
    """What one mode returned for one gold question, and how it was judged."""

    id: str
    type: str
    mode: str
    question: str
    gold_doc_id: str | None
    gold_answer: str | None
    relevant: tuple[str, ...]  # relevant passage ids over the whole corpus
    returned: tuple[str, ...]  # passage ids in rank order
    first_relevant_rank: int | None
    abstained: bool
    span: str  # the returned key span ("" when none or abstained)
    answer_passage_id: str
    answer_correct: bool | None  # None on unanswerable questions
    exact_span: bool | None
    sentence_correct: bool | None  # the gold answer is in the returned answer sentence
    wrong_year_top1: bool | None  # None when the question lists no wrong-year documents
    top1_doc_id: str | None
    top1_text: str  # first 60 characters of the rank-1 passage
    latency_ms: float
    metrics: dict[str, float]  # per-question retrieval metrics (empty when unanswerable)
    error: str = ""  # a QAServiceError the service raised for this question
    style: str = "plain"
    split: str = "dev"
    parts_correct: tuple[bool, ...] = ()  # comparison questions: each part judged on its own

    @property
    def failed(self) -> bool:
        """Answerable: the top passage is not relevant or the span is wrong; else: not abstained."""
        if self.answer_correct is None:
            return not self.abstained
        return self.first_relevant_rank != 1 or not self.answer_correct



def retrieval_metrics(relevant: dict[str, Sequence[str]], ranked: dict[str, Sequence[str]]
                      ) -> dict[str, dict[str, float]]:
    """Per-question Hit@k, MRR@10 and nDCG@10 (binary relevance) computed with ranx.

    Args:
        relevant: question id -> relevant passage ids (may be empty: all metrics are then 0).
        ranked: question id -> returned passage ids, best first.
    Returns:
        question id -> {metric name: value}.
    """
    from ranx import Qrels, Run, evaluate

    zeros = {name: 0.0 for name in RETRIEVAL_METRICS}
    scores = {qid: dict(zeros) for qid in ranked}
    judged = [qid for qid in ranked if relevant.get(qid)]
    if not judged:
        return scores
    qrels = Qrels({qid: {pid: 1 for pid in relevant[qid]} for qid in judged})
    run_dict = {}
    for qid in judged:
        ids = list(dict.fromkeys(ranked[qid]))  # first occurrence wins
        # ranx orders by score: 1/rank keeps the service's order. An empty list gets a
        # placeholder because ranx cannot hold a question without documents.
        run_dict[qid] = {pid: 1.0 / i for i, pid in enumerate(ids, 1)} or {"<none>": 0.0}
    run = Run(run_dict)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba type-safety chatter inside ranx
        evaluate(qrels, run, [_RANX_NAMES[m] for m in RETRIEVAL_METRICS], return_mean=False)
    for name in RETRIEVAL_METRICS:  # ranx keeps per-question scores in the run, keyed by id
        for qid, value in run.scores[_RANX_NAMES[name]].items():
            scores[qid][name] = float(value)
    return scores


# --- aggregation ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Summary:
    """Metrics over one group of questions (one mode; all questions or one type)."""

    n_answerable: int
    n_unanswerable: int
    retrieval: dict[str, float]  # RETRIEVAL_METRICS, averaged over answerable questions
    answer_accuracy: float | None
    exact_span_accuracy: float | None
    sentence_accuracy: float | None
    false_abstention: float | None  # answerable questions the service abstained on
    abstention_unanswerable: float | None
    wrong_year_top1: float | None  # over year_figure questions that list wrong-year documents
    n_wrong_year_judged: int
    latency_p50_ms: float
    latency_p95_ms: float



def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def summarise(results: Sequence[QuestionResult]) -> Summary:
    """Aggregate the per-question judgements of one group."""
    answerable = [r for r in results if r.answer_correct is not None]
    unanswerable = [r for r in results if r.answer_correct is None]
    year_judged = [r for r in answerable if r.type == "year_figure" and r.wrong_year_top1 is not None]
    latencies = [r.latency_ms for r in results]
    return Summary(
        n_answerable=len(answerable),
        n_unanswerable=len(unanswerable),
        retrieval={m: float(np.mean([r.metrics[m] for r in answerable])) if answerable else 0.0
                   for m in RETRIEVAL_METRICS},
        answer_accuracy=_mean([r.answer_correct for r in answerable]),
        exact_span_accuracy=_mean([r.exact_span for r in answerable]),
        sentence_accuracy=_mean([r.sentence_correct for r in answerable]),
        false_abstention=_mean([r.abstained for r in answerable]),
        abstention_unanswerable=_mean([r.abstained for r in unanswerable]),
        wrong_year_top1=_mean([r.wrong_year_top1 for r in year_judged]),
        n_wrong_year_judged=len(year_judged),
        latency_p50_ms=float(np.percentile(latencies, 50)) if latencies else 0.0,
        latency_p95_ms=float(np.percentile(latencies, 95)) if latencies else 0.0,
    )



def check_thresholds(summary: Summary, thresholds: dict[str, float]) -> list[str]:
    """Messages for every threshold the summary misses (keys ending in ``_max`` are ceilings)."""
    values = {**summary.retrieval, "answer_accuracy": summary.answer_accuracy,
              "abstention_unanswerable": summary.abstention_unanswerable,
              "false_abstention": summary.false_abstention, "wrong_year_top1": summary.wrong_year_top1}
    problems = []
    for key, limit in thresholds.items():
        if key.startswith("_"):
            continue  # comments
        name, ceiling = (key[:-4], True) if key.endswith("_max") else (key, False)
        if name not in values:
            problems.append(f"unknown threshold {key!r}")
            continue
        value = values[name]
        if value is None:
            continue  # nothing to judge (e.g. no unanswerable questions in this gold set)
        if (value > limit) if ceiling else (value < limit):
            problems.append(f"{name} = {value:.3f} {'above' if ceiling else 'below'} {limit}")
    return problems
