"""QAService: load the model and index once, answer questions. The CLI, web and eval call this."""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from pathlib import Path

from ..config import Settings
from ..errors import ConfigError, IndexMissingError, IndexStaleError
from ..lexicon.dictionary import EnglishDictionary
from ..qa import DEFAULT_MODE, MODES, Answerer, QueryAnalysis, analyse
from ..qa.learned import LearnedModel, LearnedModelError, load_learned
from ..qa.normalize import HomophoneReader, is_english
from ..qa.parts import question_parts
from ..qa.pipeline import combine_parts
from ..search import build_index, index_is_current, load_index
from ..search.query_encoder import QueryEncoder, default_batch
from ..search.tokenizer import default_tokenizer
from ..types import Answer, AnswerPart, Document, Passage
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


def _learned_model(settings: Settings) -> LearnedModel | None:
    """The learned ranking/abstention model the settings name (None: hand-set rules only)."""
    if settings.learned_model == "off":
        return None
    try:
        return load_learned(Path(settings.learned_model) if settings.learned_model else None)
    except (OSError, LearnedModelError) as exc:
        raise ConfigError(f"cannot use the learned model {settings.learned_model or '(shipped)'}: {exc}; "
                          "run `qa-service train` or set QA_LEARNED_MODEL=off") from exc


def _matching(learned: LearnedModel | None, manifest: dict) -> LearnedModel | None:
    """The learned model, if it was trained on an index from the same embedding model; else None.

    Its weights include dense-score features, which mean nothing for another encoder; a model
    trained under another text pipeline (tokenizer data, cue files) still applies, with a warning.
    """
    if learned is None:
        return None
    trained_model = learned.info.get("model")
    if trained_model and trained_model != manifest.get("model"):
        logger.warning("the learned ranking was trained with the model %s, the index uses %s: using "
                       "the hand-set weights (run `qa-service train` to learn weights for this model)",
                       trained_model, manifest.get("model"))
        return None
    trained_pipeline = learned.info.get("index_pipeline")
    if trained_pipeline and trained_pipeline != manifest.get("pipeline"):
        logger.warning("the learned ranking was trained under text pipeline %s, the index is %s; "
                       "rerun `qa-service train` to refit it", trained_pipeline, manifest.get("pipeline"))
    return learned


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
        self.learned = _matching(_learned_model(settings), loaded.manifest)
        self.answerer = Answerer(loaded.passages, loaded.dense, loaded.bm25, self._query_encoder, documents,
                                  loaded.doc_freq, learned=self.learned, sentences=loaded.sentences)
        self._by_id = {p.passage_id: p for p in loaded.passages}
        self._corpus_text = "\n".join(p.text for p in loaded.passages)  # both readers look words up in it
        self.reader = HomophoneReader(loaded.bm25.vocabulary(), self._corpus_text)
        self._vocabulary = loaded.bm25.vocabulary
        self._dictionary: EnglishDictionary | None = None
        self._dictionary_lock = threading.Lock()

    @property
    def dictionary(self) -> EnglishDictionary:
        """CC-CEDICT read backwards onto this corpus's words: built on the first English question
        (a quarter of a second), not at load, since most questions are in Chinese."""
        with self._dictionary_lock:
            if self._dictionary is None:
                self._dictionary = EnglishDictionary(self._vocabulary(), self._corpus_text,
                                                     segment=default_tokenizer().words)
            return self._dictionary

    @classmethod
    def load(cls, settings: Settings, *, build_if_missing: bool = False, embedder=None) -> "QAService":
        """Load model and index.

        A missing index is built when ``build_if_missing``; a stale one (the corpus, model or
        indexing code changed) is refused with the command to run, unless ``settings.rebuild_stale``
        (``QA_REBUILD_STALE=1``) asks for a rebuild: a question never waits for a silent rebuild.

        Raises IndexMissingError/IndexStaleError/IndexCorruptError/ModelError.
        """
        embedder = embedder or make_embedder(settings)
        try:
            loaded = load_index(settings)
        except IndexMissingError:
            if not (build_if_missing or settings.rebuild_stale):
                raise
            logger.warning("no index yet: building it now")
            build_index(settings, embedder)
            loaded = load_index(settings)
        except IndexStaleError as exc:
            if not settings.rebuild_stale:
                raise IndexStaleError(f"{exc} (or set QA_REBUILD_STALE=1 to rebuild on load)") from exc
            logger.warning("index stale (%s): rebuilding it because QA_REBUILD_STALE is set", exc)
            build_index(settings, embedder)
            loaded = load_index(settings)
        return cls(settings, loaded, embedder, loaded.documents)

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

    def analyse(self, question: str, reference_date: dt.date | None = None) -> QueryAnalysis:
        dictionary = self.dictionary if is_english(question) else None
        return analyse(question, reference_date=reference_date or self.reference_date(), reader=self.reader,
                       dictionary=dictionary)

    def ask(self, question: str, *, top_k: int = 5, year: int | None = None, doc_id: str | None = None,
            mode: str = DEFAULT_MODE, reference_date: dt.date | None = None) -> Answer:
        """Retrieve cited passages and extract the answer sentence and span (or abstain).
        ``reference_date`` anchors 去年/今年 for this question (default: the settings' or today).

        Raises InvalidQuestionError for a request ``parse_ask`` refuses."""
        request = parse_ask({"question": question, "top_k": top_k, "year": year, "doc_id": doc_id,
                             "mode": mode}, self.limits)
        return self.answer(request, reference_date=reference_date)

    def answer(self, request: AskRequest, *, reference_date: dt.date | None = None) -> Answer:
        """``ask`` for a request already validated by ``parse_ask``."""
        started = time.perf_counter()
        analysis = self.analyse(request.question, reference_date)
        options = dict(top_k=request.top_k, mode=request.mode, year=request.year, doc_id=request.doc_id)
        parts = question_parts(analysis.asked, analysis.question)
        answer_parts: tuple[AnswerPart, ...] = ()
        if parts:  # a comparison: each part asked on its own, the answers side by side
            results = [self.answerer.answer(self.analyse(p.question, reference_date), **options) for p in parts]
            result, answer_parts = combine_parts([p.label for p in parts], results, request.top_k)
        else:
            result = self.answerer.answer(analysis, **options)
        return Answer(
            question=request.question,
            abstained=result.answer is None,
            answer=result.answer,
            hits=result.hits,
            highlights=result.highlights,
            took_ms=(time.perf_counter() - started) * 1000,
            analysis=analysis,
            parts=answer_parts,
        )
