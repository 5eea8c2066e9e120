"""Evaluation harness: run the gold questions through every retrieval mode and score them.

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

import logging
import time
import warnings
from dataclasses import dataclass, replace
from typing import Protocol, Sequence

import numpy as np

from .errors import ConfigError, QAServiceError
from .gold import QUESTION_TYPES, GoldRecord, answer_matches, relevant_passage_ids
from .types import Answer, Passage

logger = logging.getLogger(__name__)

DEFAULT_MODE = "hybrid_rerank"
HIT_CUTOFFS = (1, 3, 5, 10)
RETRIEVAL_METRICS = ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10")
_RANX_NAMES = {"hit@1": "hit_rate@1", "hit@3": "hit_rate@3", "hit@5": "hit_rate@5",
               "hit@10": "hit_rate@10", "mrr@10": "mrr@10", "ndcg@10": "ndcg@10"}


class Service(Protocol):
    """What the harness needs from ``QAService``."""

    passages: list[Passage]

    def ask(self, question: str, *, top_k: int = 5, mode: str = DEFAULT_MODE) -> Answer: ...


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

    @property
    def failed(self) -> bool:
        """Answerable: the top passage is not relevant or the span is wrong; else: not abstained."""
        if self.answer_correct is None:
            return not self.abstained
        return self.first_relevant_rank != 1 or not self.answer_correct


def _judge(record: GoldRecord, mode: str, answer: Answer | None, latency_ms: float,
           relevant: tuple[str, ...], error: str = "") -> QuestionResult:
    hits = answer.hits if answer else ()
    returned = tuple(h.passage.passage_id for h in hits)
    rank = next((i for i, pid in enumerate(returned, 1) if pid in relevant), None)
    abstained = answer is None or answer.abstained or answer.answer is None
    span = "" if abstained else answer.answer.span
    top1 = hits[0].passage if hits else None
    correct = exact = sentence = wrong_year = None
    if record.answerable:
        correct = not abstained and answer_matches(record.answer, span)
        exact = not abstained and answer_matches(record.answer, span, exact=True)
        sentence = not abstained and answer_matches(record.answer, answer.answer.text)
        if record.wrong_year_docs:
            wrong_year = top1 is not None and top1.doc_id in record.wrong_year_docs
    return QuestionResult(
        id=record.id, type=record.type, mode=mode, question=record.question,
        gold_doc_id=record.doc_id, gold_answer=record.answer, relevant=relevant,
        returned=returned, first_relevant_rank=rank, abstained=abstained, span=span,
        answer_passage_id="" if abstained else answer.answer.passage_id,
        answer_correct=correct, exact_span=exact, sentence_correct=sentence,
        wrong_year_top1=wrong_year,
        top1_doc_id=top1.doc_id if top1 else None, top1_text=top1.text[:60] if top1 else "",
        latency_ms=latency_ms, metrics={}, error=error)


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


@dataclass(frozen=True)
class ModeReport:
    mode: str
    overall: Summary
    by_type: dict[str, Summary]


@dataclass(frozen=True)
class EvalReport:
    """Everything one evaluation run measured; rendered by ``qa_service.report``."""

    modes: tuple[str, ...]
    top_k: int
    n_questions: int
    created: str
    index_info: dict[str, object]
    unreachable: tuple[str, ...]  # answerable gold ids whose evidence no passage holds
    notes: tuple[str, ...]  # caveats about the measurement
    per_mode: dict[str, ModeReport]
    results: tuple[QuestionResult, ...]

    @property
    def default_mode(self) -> str:
        return DEFAULT_MODE if DEFAULT_MODE in self.modes else self.modes[-1]

    def failures(self, mode: str | None = None) -> list[QuestionResult]:
        mode = mode or self.default_mode
        return [r for r in self.results if r.mode == mode and r.failed]


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


def _mode_report(mode: str, results: list[QuestionResult]) -> ModeReport:
    by_type = {t: summarise([r for r in results if r.type == t])
               for t in QUESTION_TYPES if any(r.type == t for r in results)}
    return ModeReport(mode=mode, overall=summarise(results), by_type=by_type)


def _index_info(service: Service) -> dict[str, object]:
    manifest = getattr(service, "manifest", None) or {}
    keys = ("model", "model_dim", "faiss_index", "max_passage_chars", "format_version",
            "corpus_hash", "built_at")
    info = {k: manifest[k] for k in keys if k in manifest and not isinstance(manifest[k], (dict, list))}
    info["passages"] = len(service.passages)
    return info


def run_evaluation(service: Service, gold_records: Sequence[GoldRecord], *,
                   modes: Sequence[str], top_k: int = 10, progress: bool = False) -> EvalReport:
    """Ask every gold question in every mode and score the answers.

    Args:
        service: a loaded ``QAService`` (or anything with ``passages`` and ``ask``).
        gold_records: from ``load_gold``.
        modes: retrieval modes, e.g. ``QAService.MODES``.
        top_k: passages requested per question; metrics are cut at 10 regardless.
        progress: draw a tqdm bar on stderr.
    Raises:
        ConfigError: ``modes`` is empty or names a mode the service does not know.
    """
    _check_modes(modes, getattr(service, "MODES", None))
    if top_k < 1:
        raise ConfigError("top_k must be at least 1")
    relevant = {r.id: relevant_passage_ids(service.passages, r) for r in gold_records}
    unreachable = tuple(r.id for r in gold_records if r.answerable and not relevant[r.id])
    for gold_id in unreachable:
        logger.warning("gold %s: no passage holds its evidence; it counts as a miss", gold_id)

    notes = []
    if not callable(getattr(service, "clear_cache", None)) and len(modes) > 1:
        notes.append("the service offers no clear_cache(): if it caches query embeddings, the "
                     "latency of modes after the first one that encodes a question excludes encoding")
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(modes) * len(gold_records), desc="eval", unit="q")
    all_results: list[QuestionResult] = []
    per_mode: dict[str, ModeReport] = {}
    try:
        for mode in modes:
            judged = _run_mode(service, gold_records, mode, top_k, relevant, bar)
            per_mode[mode] = _mode_report(mode, judged)
            all_results.extend(judged)
    finally:
        if bar is not None:
            bar.close()
    return EvalReport(modes=tuple(modes), top_k=top_k, n_questions=len(gold_records),
                      created=time.strftime("%Y-%m-%d %H:%M:%S"), index_info=_index_info(service),
                      unreachable=unreachable, notes=tuple(notes), per_mode=per_mode,
                      results=tuple(all_results))


def _run_mode(service: Service, gold_records: Sequence[GoldRecord], mode: str, top_k: int,
              relevant: dict[str, tuple[str, ...]], bar) -> list[QuestionResult]:
    """Ask every question in one mode; judge each answer and score the rankings."""
    # Query-embedding caches would make every mode after the first look free of encoding.
    clear_cache = getattr(service, "clear_cache", None)
    if callable(clear_cache):
        clear_cache()
    if gold_records:  # warm-up (lazy loads must not count as latency); a bad option raises here
        service.ask(gold_records[0].question, top_k=top_k, mode=mode)
    judged = []
    for record in gold_records:
        if bar is not None:
            bar.set_postfix_str(mode)
        started = time.perf_counter()
        answer, error = _ask(service, record.question, top_k, mode)
        latency = (time.perf_counter() - started) * 1000
        judged.append(_judge(record, mode, answer, latency, relevant[record.id], error))
        if bar is not None:
            bar.update()
    answerable = [r for r in judged if r.answer_correct is not None]
    scores = retrieval_metrics({r.id: r.relevant for r in answerable},
                               {r.id: r.returned for r in answerable})
    return [replace(r, metrics=dict(scores.get(r.id, {}))) for r in judged]


def _check_modes(modes: Sequence[str], known: Sequence[str] | None) -> None:
    unknown = [m for m in modes if known and m not in known]
    if not modes or unknown:
        raise ConfigError(f"unknown or no mode(s) {', '.join(unknown) or '(none)'}; "
                          f"choose from {', '.join(known or ())}")


def _ask(service: Service, question: str, top_k: int, mode: str) -> tuple[Answer | None, str]:
    try:
        return service.ask(question, top_k=top_k, mode=mode), ""
    except QAServiceError as exc:  # judged as an abstention, reported with the message
        logger.warning("mode %s, question %r: %s", mode, question, exc)
        return None, f"{type(exc).__name__}: {exc}"


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
