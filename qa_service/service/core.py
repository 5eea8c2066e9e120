"""QAService: load the model and index once, answer questions. The CLI, web and eval call this."""
from __future__ import annotations

import datetime as dt
import logging
import time

from ..config import Settings
from ..corpus import load_corpus
from ..errors import IndexMissingError, IndexStaleError
from ..qa import DEFAULT_MODE, MODES, Answerer, QueryAnalysis, analyse
from ..search import build_index, index_is_current, load_index
from ..search.query_encoder import QueryEncoder, default_batch
from ..types import Answer, Document, Passage
from .requests import AskRequest, Limits, parse_ask

logger = logging.getLogger(__name__)


def make_embedder(settings: Settings):
    """The configured embedding model, loaded (about a second; the first time also exported)."""
    from ..search.embedding import load_embedder

    try:  # requests run on the server's threads; FAISS's own OpenMP threads only contend with them
        import faiss

        faiss.omp_set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass
    return load_embedder(settings.model, cache_dir=settings.cache_dir, query_prompt=settings.query_prompt,
                         passage_prompt=settings.passage_prompt, threads=settings.encoder_threads,
                         runtime=settings.encoder_runtime)


def ensure_index(settings: Settings, *, embedder=None, show_progress: bool = False) -> bool:
    """Build the index when it is missing, stale or damaged; True when a build ran."""
    if index_is_current(settings):
        return False
    build_index(settings, embedder or make_embedder(settings), show_progress=show_progress)
    return True


def limits(settings: Settings) -> Limits:
    return Limits(max_question_chars=settings.max_question_chars, max_top_k=settings.max_top_k,
                  default_top_k=settings.default_top_k)


class QAService:
    MODES = MODES

    def __init__(self, settings: Settings, loaded, embedder, documents: dict[str, Document]):
        self.settings = settings
        self.limits = limits(settings)
        self.manifest = loaded.manifest
        self.passages: list[Passage] = loaded.passages
        self.documents = documents
        self.embedder = embedder
        self._query_encoder = QueryEncoder(embedder, max_batch=settings.encoder_batch or default_batch())
        self.answerer = Answerer(loaded.passages, loaded.dense, loaded.bm25, self._query_encoder, documents,
                                  loaded.doc_freq)
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
        self._query_encoder.clear()

    def passage(self, passage_id: str) -> Passage | None:
        return self._by_id.get(passage_id)

    def document_passages(self, doc_id: str) -> list[Passage]:
        return [p for p in self.passages if p.doc_id == doc_id]

    def reference_date(self) -> dt.date:
        if self.settings.reference_date:
            return dt.date.fromisoformat(self.settings.reference_date)
        return dt.date.today()

    def analyse(self, question: str) -> QueryAnalysis:
        return analyse(question, reference_date=self.reference_date())

    def ask(self, question: str, *, top_k: int = 5, year: int | None = None, doc_id: str | None = None,
            mode: str = DEFAULT_MODE) -> Answer:
        """Retrieve cited passages and extract the answer sentence and span (or abstain).

        Raises InvalidQuestionError for a request ``parse_ask`` refuses."""
        request = parse_ask({"question": question, "top_k": top_k, "year": year, "doc_id": doc_id,
                             "mode": mode}, self.limits)
        return self.answer(request)

    def answer(self, request: AskRequest) -> Answer:
        """``ask`` for a request already validated by ``parse_ask``."""
        started = time.perf_counter()
        analysis = self.analyse(request.question)
        result = self.answerer.answer(analysis, top_k=request.top_k, mode=request.mode, year=request.year,
                                       doc_id=request.doc_id)
        return Answer(
            question=request.question,
            abstained=result.answer is None,
            answer=result.answer,
            hits=result.hits,
            highlights=result.highlights,
            took_ms=(time.perf_counter() - started) * 1000,
            analysis=analysis,
        )
