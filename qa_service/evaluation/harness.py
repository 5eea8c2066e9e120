"""Evaluation harness: run the gold questions through every retrieval mode and score them.

Relevance is judged by evidence containment (``gold``); the metrics are defined in ``metrics``.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, replace
from typing import Protocol, Sequence

from ..errors import ConfigError, QAServiceError
from ..qa import DEFAULT_MODE
from ..types import Answer, Passage
from .gold import QUESTION_TYPES, SPLITS, STYLES, GoldPart, GoldRecord, answer_matches, relevant_passage_ids
from .metrics import QuestionResult, Summary, retrieval_metrics, summarise

logger = logging.getLogger(__name__)

class Service(Protocol):
    """What the harness needs from ``QAService``."""

    passages: list[Passage]

    def ask(self, question: str, *, top_k: int = 5, mode: str = DEFAULT_MODE,
            reference_date: dt.date | None = None) -> Answer: ...


def _judge(record: GoldRecord, mode: str, answer: Answer | None, latency_ms: float,
           relevant: tuple[str, ...], error: str = "") -> QuestionResult:
    hits = answer.hits if answer else ()
    returned = tuple(h.passage.passage_id for h in hits)
    rank = next((i for i, pid in enumerate(returned, 1) if pid in relevant), None)
    abstained = answer is None or answer.abstained or answer.answer is None
    span = "" if abstained else answer.answer.span
    top1 = hits[0].passage if hits else None
    correct = exact = sentence = wrong_year = None
    parts = _judge_parts(record.parts, answer) if record.parts else ()
    if record.answerable:
        correct = (not abstained and answer_matches(record.answer, span)) if not parts else all(parts)
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
        latency_ms=latency_ms, metrics={}, error=error, style=record.style, split=record.split,
        parts_correct=parts)


def _judge_parts(gold_parts: tuple[GoldPart, ...], answer: Answer | None) -> tuple[bool, ...]:
    """Each gold part against the service's part in the same position: a missing part must be
    said to be missing, any other must carry the gold answer in its span."""
    got = list(getattr(answer, "parts", ()) or ()) if answer else []
    judged = []
    for i, gold in enumerate(gold_parts):
        part = got[i] if i < len(got) else None
        if gold.missing:
            judged.append(part is not None and part.answer is None)
        else:
            judged.append(part is not None and part.answer is not None
                          and answer_matches(gold.answer, part.answer.span))
    return tuple(judged)


@dataclass(frozen=True)
class ModeReport:
    mode: str
    overall: Summary
    by_type: dict[str, Summary]
    by_split: dict[str, Summary]  # dev / test
    by_style: dict[str, dict[str, Summary]]  # split ("all", "dev", "test") -> style -> summary


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


def _mode_report(mode: str, results: list[QuestionResult]) -> ModeReport:
    by_type = {t: summarise([r for r in results if r.type == t])
               for t in QUESTION_TYPES if any(r.type == t for r in results)}
    by_split = {s: summarise([r for r in results if r.split == s])
                for s in SPLITS if any(r.split == s for r in results)}
    by_style = {}
    for split in ("all", *SPLITS):
        chosen = [r for r in results if split in ("all", r.split)]
        by_style[split] = {s: summarise([r for r in chosen if r.style == s])
                           for s in STYLES if any(r.style == s for r in chosen)}
    return ModeReport(mode=mode, overall=summarise(results), by_type=by_type, by_split=by_split,
                      by_style=by_style)


def _index_info(service: Service) -> dict[str, object]:
    manifest = getattr(service, "manifest", None) or {}
    keys = ("model", "model_dim", "store", "faiss_index", "max_passage_chars", "format_version",
            "corpus_hash", "built_at")
    info = {k: manifest[k] for k in keys if k in manifest and not isinstance(manifest[k], (dict, list))}
    info["passages"] = len(service.passages)
    return info


def run_evaluation(service: Service, gold_records: Sequence[GoldRecord], *,
                   modes: Sequence[str], top_k: int = 10, progress: bool = False,
                   time_encoding: bool = True) -> EvalReport:
    """Ask every gold question in every mode and score the answers.

    Args:
        service: a loaded ``QAService`` (or anything with ``passages`` and ``ask``).
        gold_records: from ``load_gold``.
        modes: retrieval modes, e.g. ``QAService.MODES``.
        top_k: passages requested per question; metrics are cut at 10 regardless.
        progress: draw a tqdm bar on stderr.
        time_encoding: clear the service's query-embedding cache before each mode, so every
            mode's latency includes encoding; False reuses embeddings across modes (faster,
            same answers, latency after the first dense mode excludes encoding).
    Raises:
        ConfigError: ``modes`` is empty or names a mode the service does not know.
    """
    check_modes(modes, getattr(service, "MODES", None))
    if top_k < 1:
        raise ConfigError("top_k must be at least 1")
    relevant = {r.id: relevant_passage_ids(service.passages, r) for r in gold_records}
    unreachable = tuple(r.id for r in gold_records if r.answerable and not relevant[r.id])
    for gold_id in unreachable:
        logger.warning("gold %s: no passage holds its evidence; it counts as a miss", gold_id)

    notes = []
    if not time_encoding and len(modes) > 1:
        notes.append("query embeddings were reused across modes: the latency of modes after the "
                     "first one that encodes a question excludes encoding")
    elif not callable(getattr(service, "clear_cache", None)) and len(modes) > 1:
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
            judged = _run_mode(service, gold_records, mode, top_k, relevant, bar, time_encoding)
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
              relevant: dict[str, tuple[str, ...]], bar, time_encoding: bool) -> list[QuestionResult]:
    """Ask every question in one mode; judge each answer and score the rankings."""
    # Query-embedding caches would make every mode after the first look free of encoding.
    clear_cache = getattr(service, "clear_cache", None)
    if time_encoding and callable(clear_cache):
        clear_cache()
    if gold_records:  # warm-up (lazy loads must not count as latency); a bad option raises here
        service.ask(gold_records[0].question, top_k=top_k, mode=mode)
    judged = []
    for record in gold_records:
        if bar is not None:
            bar.set_postfix_str(mode)
        started = time.perf_counter()
        answer, error = _ask(service, record, top_k, mode)
        latency = (time.perf_counter() - started) * 1000
        judged.append(_judge(record, mode, answer, latency, relevant[record.id], error))
        if bar is not None:
            bar.update()
    answerable = [r for r in judged if r.answer_correct is not None]
    scores = retrieval_metrics({r.id: r.relevant for r in answerable},
                               {r.id: r.returned for r in answerable})
    return [replace(r, metrics=dict(scores.get(r.id, {}))) for r in judged]


def check_modes(modes: Sequence[str], known: Sequence[str] | None) -> None:
    unknown = [m for m in modes if known and m not in known]
    if not modes or unknown:
        raise ConfigError(f"unknown or no mode(s) {', '.join(unknown) or '(none)'}; "
                          f"choose from {', '.join(known or ())}")


def _ask(service: Service, record: GoldRecord, top_k: int, mode: str) -> tuple[Answer | None, str]:
    try:
        return service.ask(record.question, top_k=top_k, mode=mode, reference_date=record.reference_date), ""
    except QAServiceError as exc:  # judged as an abstention, reported with the message
        logger.warning("mode %s, question %r: %s", mode, record.question, exc)
        return None, f"{type(exc).__name__}: {exc}"
