"""The BM25 index over pre-tokenised passages (bm25s), and document frequencies read from it."""
from __future__ import annotations

import functools
import logging
from pathlib import Path

import numpy as np

from ..errors import IndexCorruptError
from .tokenizer import tokenize

_NO_IDS = np.empty(0, dtype=np.int64)


def top_rows(scores: np.ndarray, n: int) -> np.ndarray:
    """``np.argsort(-scores, kind="stable")[:n]`` (same ids, same order, ties by index) without
    sorting every passage: a partition finds the n-th best score, only the n best are sorted."""
    if n >= len(scores):
        return np.argsort(-scores, kind="stable")[:n]
    if n <= 0:
        return _NO_IDS
    kth = np.partition(scores, len(scores) - n)[len(scores) - n]
    above = np.flatnonzero(scores > kth)
    tied = np.flatnonzero(scores == kth)[: n - len(above)]
    idx = np.concatenate([above, tied])
    return idx[np.lexsort((idx, -scores[idx]))]


class BM25Index:
    """BM25 over pre-tokenised passages (bm25s: sparse matrices, no pickle on disk).

    The embedded ``SparseStore``: filters arrive as row ids (``allowed``), the payload filter
    ``where`` is for engines that evaluate it themselves and is ignored here."""

    backend = "bm25s"
    pushes_down_filters = False

    def __init__(self, retriever=None, count: int = 0):
        self._retriever = retriever
        self.count = count

    @classmethod
    def build(cls, token_lists: list[list[str]], *, k1: float = 1.2, b: float = 0.75) -> "BM25Index":
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        # A vocabulary numbered by first occurrence, not bm25s's set order (which follows the
        # process's string hash seed): the same passages give the same index files in any process.
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(token, len(vocab)) for token in tokens] for tokens in token_lists]
        retriever.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
        return cls(retriever, len(token_lists))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every passage for the query (zeros when no token is known)."""
        if not query_tokens or self.count == 0:
            return np.zeros(self.count, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(query_tokens), dtype=np.float32)

    def search(self, tokens: list[str], k: int, *, allowed: np.ndarray | None = None, where=None,
               score_rows=()) -> tuple[list[int], dict[int, float]]:
        """The ``k`` best rows with a positive score (ties by row) and the scores of those rows
        and of ``score_rows`` (0 for a row outside ``allowed``); one scoring pass."""
        scores = self.scores(tokens)
        if allowed is not None:
            masked = np.zeros_like(scores)
            masked[allowed] = scores[allowed]
            scores = masked
        ranking = [int(i) for i in top_rows(scores, k) if scores[i] > 0]
        return ranking, {int(i): float(scores[i]) for i in (*ranking, *score_rows)}

    def vocabulary(self) -> list[str]:
        """Every token of the indexed passages (not bm25s's empty placeholder token)."""
        return [t for t in self._retriever.vocab_dict if t]

    def document_frequency(self, token: str) -> int:
        """Passages whose indexed text contains ``token`` (one column of the CSC score matrix)."""
        column = self._retriever.vocab_dict.get(token)
        if column is None:
            return 0
        indptr = self._retriever.scores["indptr"]
        return int(indptr[column + 1] - indptr[column])

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, *, count: int) -> "BM25Index":
        import bm25s

        try:
            retriever = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0)
            probe = retriever.get_scores(["四平"])
        except Exception as exc:  # bm25s raises assorted errors on damaged files
            raise IndexCorruptError(f"BM25 index in {directory} is unreadable: {exc}") from exc
        if len(probe) != count:
            raise IndexCorruptError(f"BM25 index has {len(probe)} passages, manifest says {count}")
        return cls(retriever, count)


class DocFreq:
    """How many passages contain a term, from the BM25 index's statistics (O(1) per term).

    A term that is not itself a token (生产总值 inside 地区生产总值) gets the smallest count of
    its search-mode tokens: an upper bound, which is all term weighting needs. Counts are
    cached per term in a bounded LRU: questions bring new words without end, and an unbounded
    cache would grow with every one of them.
    """

    CACHE_SIZE = 8192

    def __init__(self, bm25: BM25Index, *, cache_size: int = CACHE_SIZE):
        self._bm25 = bm25
        self._cached = functools.lru_cache(maxsize=cache_size)(self._count)  # thread-safe

    def __len__(self) -> int:
        return self._bm25.count

    def get(self, term: str, default: int = 0) -> int:
        return self._cached(term.lower())

    def cache_info(self):
        """``functools`` cache statistics (hits, misses, maxsize, currsize)."""
        return self._cached.cache_info()

    def _count(self, term: str) -> int:
        df = self._bm25.document_frequency(term)
        if df == 0:
            parts = tokenize(term, keep_stopwords=True)
            df = min((self._bm25.document_frequency(t) for t in parts), default=0) if parts else 0
        return df
