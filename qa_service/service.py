"""QAService: load the model and index once, answer questions. CLI, web and eval call this."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time

from .answer import Thresholds, best_in_passage, extract_answer, highlight_terms
from .config import Settings
from .corpus import load_corpus
from .errors import IndexMissingError, IndexStaleError, InvalidQuestionError
from .query import QueryAnalysis, analyse
from .query_encoder import QueryEncoder
from .retrieve import Retriever
from .store import build_index, index_is_current, load_index
from .types import Answer, Document, Hit, Passage

logger = logging.getLogger(__name__)

RERANK_DEPTH = 20
ANSWER_WEIGHT = 0.5


def make_embedder(settings: Settings):
    from .embedding import Embedder

    try:  # requests run on the server's threads; FAISS's own OpenMP threads only contend with them
        import faiss

        faiss.omp_set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass
    if settings.torch_threads:
        import torch

        torch.set_num_threads(settings.torch_threads)
    return Embedder(settings.model, cache_dir=settings.cache_dir, query_prompt=settings.query_prompt,
                    passage_prompt=settings.passage_prompt)


def ensure_index(settings: Settings, *, embedder=None, show_progress: bool = False) -> bool:
    """Build the index when it is missing, stale or damaged; True when a build ran."""
    if index_is_current(settings):
        return False
    build_index(settings, embedder or make_embedder(settings), show_progress=show_progress)
    return True


def _cut(hits: list[Hit], span, top_k: int):
    """The first ``top_k`` hits, keeping the cited passage; ranks and the citation renumbered."""
    if span is None or span.citation <= top_k:
        return hits[:top_k], span
    cited = hits[span.citation - 1]
    kept = [*hits[:top_k - 1], cited]
    renumbered = [Hit(h.passage, rank, h.score, h.scores) for rank, h in enumerate(kept, start=1)]
    return renumbered, dataclasses.replace(span, citation=top_k)


class QAService:
    MODES = Retriever.MODES

    def __init__(self, settings: Settings, loaded, embedder, documents: dict[str, Document]):
        self.settings = settings
        self.manifest = loaded.manifest
        self.passages: list[Passage] = loaded.passages
        self.documents = documents
        self.doc_freq = loaded.doc_freq
        self.embedder = embedder
        self.thresholds = Thresholds()
        self.retriever = Retriever(loaded.passages, loaded.dense, loaded.bm25, QueryEncoder(embedder),
                                   documents, loaded.doc_freq)
        self._by_id = {p.passage_id: p for p in loaded.passages}

    @classmethod
    def load(cls, settings: Settings, *, build_if_missing: bool = False, embedder=None) -> "QAService":
        """Load model and index. Raises IndexMissingError/IndexStaleError/IndexCorruptError/ModelError."""
        embedder = embedder or make_embedder(settings)
        try:
            loaded = load_index(settings)
        except (IndexMissingError, IndexStaleError):
            if not (build_if_missing or settings.rebuild_stale):
                raise
            logger.warning("index missing or stale: building it now")
            build_index(settings, embedder)
            loaded = load_index(settings)
        documents = {d.doc_id: d for d in load_corpus(settings.corpus_dir, root=settings.root)}
        return cls(settings, loaded, embedder, documents)

    def clear_cache(self) -> None:
        """Forget cached query embeddings (the evaluation times each mode from cold)."""
        self.retriever.embedder.clear()

    def passage(self, passage_id: str) -> Passage | None:
        return self._by_id.get(passage_id)

    def document_passages(self, doc_id: str) -> list[Passage]:
        return [p for p in self.passages if p.doc_id == doc_id]

    def reference_date(self) -> dt.date:
        if self.settings.reference_date:
            return dt.date.fromisoformat(self.settings.reference_date)
        return dt.date.today()

    def validate(self, question, top_k, year, doc_id, mode) -> str:
        if not isinstance(question, str):
            raise InvalidQuestionError("question must be a string", code="invalid_type")
        question = question.strip()
        if not question:
            raise InvalidQuestionError("question is empty", code="empty_question")
        try:
            question.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidQuestionError("question is not valid Unicode text", code="invalid_question") from None
        if len(question) > self.settings.max_question_chars:
            raise InvalidQuestionError(f"question is longer than {self.settings.max_question_chars} characters",
                                       code="question_too_long")
        if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= self.settings.max_top_k:
            raise InvalidQuestionError(f"top_k must be an integer from 1 to {self.settings.max_top_k}",
                                       code="invalid_top_k")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100):
            raise InvalidQuestionError("year must be an integer such as 2024", code="invalid_year")
        if doc_id is not None and not isinstance(doc_id, str):
            raise InvalidQuestionError("doc_id must be a string", code="invalid_type")
        if mode not in self.MODES:
            raise InvalidQuestionError(f"mode must be one of {', '.join(self.MODES)}", code="invalid_mode")
        return question

    def analyse(self, question: str) -> QueryAnalysis:
        return analyse(question, reference_date=self.reference_date())

    def _rerank_by_answers(self, hits: list[Hit], analysis: QueryAnalysis) -> tuple[list[Hit], dict]:
        """Reader-style re-ranking: a passage holding a well-fitting answer sentence moves up.

        Returns the re-ranked hits and each passage's best answer candidate (by passage id),
        which answer extraction then reuses.
        """
        found = {hit.passage.passage_id: best_in_passage(hit, analysis, self.documents, self.doc_freq,
                                                         len(self.passages), thresholds=self.thresholds)
                 for hit in hits}
        rescored = []
        for hit in hits:
            candidate = found[hit.passage.passage_id]
            answer_score = candidate.score if candidate else 0.0
            rescored.append((hit.score + ANSWER_WEIGHT * answer_score, hit, answer_score))
        rescored.sort(key=lambda t: -t[0])
        ranked = [Hit(hit.passage, rank, score, {**hit.scores, "answer": answer_score})
                  for rank, (score, hit, answer_score) in enumerate(rescored, start=1)]
        return ranked, found

    def ask(self, question: str, *, top_k: int = 5, year: int | None = None, doc_id: str | None = None,
            mode: str = "hybrid_rerank") -> Answer:
        """Retrieve cited passages and extract the answer sentence and span (or abstain)."""
        started = time.perf_counter()
        question = self.validate(question, top_k, year, doc_id, mode)
        analysis = self.analyse(question)
        hits = self.retriever.search(analysis, top_k=max(top_k, RERANK_DEPTH), mode=mode, year=year, doc_id=doc_id)
        found = None
        if mode == "hybrid_rerank":
            hits, found = self._rerank_by_answers(hits, analysis)
        # The answer does not depend on top_k: it is drawn from the same leading passages, and
        # the cited one is kept in the returned list (in the last slot if it ranked lower).
        span = extract_answer(hits, analysis, self.documents, self.doc_freq, len(self.passages),
                              thresholds=self.thresholds, found=found)
        hits, span = _cut(hits, span, top_k)
        highlights = {}
        for hit in hits:
            pid = hit.passage.passage_id
            if span is not None and pid == span.passage_id:
                highlights[pid] = ((span.sentence_start, span.sentence_end),)
            else:
                highlights[pid] = tuple(highlight_terms(hit.passage.text, analysis))
        return Answer(
            question=question,
            abstained=span is None,
            answer=span,
            hits=tuple(hits),
            highlights=highlights,
            took_ms=(time.perf_counter() - started) * 1000,
            analysis=analysis,
        )
