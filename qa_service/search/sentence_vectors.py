"""Answer-sentence and clause vectors: every answer unit of every passage (``corpus.sentences.
answer_units``), and every clause of each (``corpus.sentences.answer_clauses``), embedded as a
passage is, so the question's vector can tell which sentence of a passage, and which clause of
a sentence, says what was asked, in any language the model reads (an English question against
Chinese text).

Four files in the index directory, whatever the dense backend: ``sentence_vectors.npy`` (one
float16 row per unit, in passage order, memory-mapped at load) and ``sentence_rows.npy`` (where
each passage's rows start; one more entry than passages); ``clause_vectors.npy`` and
``clause_rows.npy`` the same for the clauses of each unit (one more row offset than units). The sentence rules are part of the
index's pipeline fingerprint (``manifest.PIPELINE_FILES``): an index cut into other units is
stale, never misaligned.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..corpus.sentences import answer_clauses, answer_units
from ..errors import IndexCorruptError
from ..types import Passage

VECTORS = "sentence_vectors.npy"
ROWS = "sentence_rows.npy"
CLAUSE_VECTORS = "clause_vectors.npy"
CLAUSE_ROWS = "clause_rows.npy"


def sentence_texts(passages: Sequence[Passage]) -> tuple[list[str], np.ndarray]:
    """The text of every passage's answer units, in order, and where each passage's start."""
    texts: list[str] = []
    rows = [0]
    for p in passages:
        texts.extend(p.text[start:end] for start, end in answer_units(p.text))
        rows.append(len(texts))
    return texts, np.asarray(rows, dtype=np.int64)


def clause_texts(sentences: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The text of every clause of ``sentences`` (``sentence_texts``), in order, and where each
    sentence's start."""
    texts: list[str] = []
    rows = [0]
    for sentence in sentences:
        texts.extend(sentence[a:b] for a, b in answer_clauses(sentence))
        rows.append(len(texts))
    return texts, np.asarray(rows, dtype=np.int64)


def save_sentence_vectors(directory: Path, vectors: np.ndarray, rows: np.ndarray,
                          clause_vectors: np.ndarray, clause_rows: np.ndarray) -> None:
    for name, array in ((VECTORS, vectors), (CLAUSE_VECTORS, clause_vectors)):
        np.save(directory / name, np.ascontiguousarray(array, dtype=np.float16), allow_pickle=False)
    for name, array in ((ROWS, rows), (CLAUSE_ROWS, clause_rows)):
        np.save(directory / name, array.astype(np.int64), allow_pickle=False)


class SentenceVectors:
    """The answer units' vectors of one loaded index, by passage id."""

    def __init__(self, vectors: np.ndarray, rows: np.ndarray, passage_ids: Sequence[str],
                 clause_vectors: np.ndarray | None = None, clause_rows: np.ndarray | None = None):
        self._vectors = vectors
        self._rows = rows
        self._index = {pid: i for i, pid in enumerate(passage_ids)}
        self._clause_vectors = clause_vectors
        self._clause_rows = clause_rows

    def __len__(self) -> int:
        return int(self._rows[-1])

    def similarities(self, passage_id: str, query: np.ndarray) -> np.ndarray:
        """Cosine of ``query`` (a normalised vector) with each answer unit of the passage, in
        ``answer_units`` order; empty for a passage the index does not hold."""
        i = self._index.get(passage_id)
        if i is None:
            return np.zeros(0, dtype=np.float32)
        block = np.asarray(self._vectors[self._rows[i]:self._rows[i + 1]], dtype=np.float32)
        return block @ np.asarray(query, dtype=np.float32)

    def clause_similarities(self, passage_id: str, query: np.ndarray) -> list[np.ndarray]:
        """Cosine of ``query`` with each clause (``answer_clauses``) of each answer unit of the
        passage: one array per unit, in ``answer_units`` order; empty without clause vectors."""
        i = self._index.get(passage_id)
        if i is None or self._clause_vectors is None or self._clause_rows is None:
            return []
        first, last = int(self._rows[i]), int(self._rows[i + 1])
        bounds = self._clause_rows[first:last + 1]
        block = np.asarray(self._clause_vectors[int(bounds[0]):int(bounds[-1])], dtype=np.float32)
        sims = block @ np.asarray(query, dtype=np.float32)
        return [sims[int(a - bounds[0]):int(b - bounds[0])] for a, b in zip(bounds[:-1], bounds[1:])]

    @classmethod
    def load(cls, directory: Path, passages: Sequence[Passage], *, dim: int) -> "SentenceVectors":
        """The vectors of ``directory`` for ``passages`` (the index's, in order).

        Raises:
            IndexCorruptError: a file is missing, unreadable or of the wrong shape.
        """
        try:
            vectors = np.load(directory / VECTORS, mmap_mode="r", allow_pickle=False)
            rows = np.load(directory / ROWS, allow_pickle=False)
            clause_vectors = np.load(directory / CLAUSE_VECTORS, mmap_mode="r", allow_pickle=False)
            clause_rows = np.load(directory / CLAUSE_ROWS, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"sentence vectors in {directory} are unreadable ({exc}): "
                                    "run `qa-service index --force`") from exc
        if (vectors.ndim != 2 or vectors.shape[1] != dim or rows.ndim != 1 or len(rows) != len(passages) + 1
                or rows[0] != 0 or rows[-1] != len(vectors) or np.any(np.diff(rows) < 0)):
            raise IndexCorruptError(f"sentence vectors in {directory} do not match the passages "
                                    f"({vectors.shape} vectors, {len(rows)} row offsets for {len(passages)} "
                                    "passages): run `qa-service index --force`")
        if (clause_vectors.ndim != 2 or clause_vectors.shape[1] != dim or clause_rows.ndim != 1
                or len(clause_rows) != len(vectors) + 1 or clause_rows[0] != 0
                or clause_rows[-1] != len(clause_vectors) or np.any(np.diff(clause_rows) < 0)):
            raise IndexCorruptError(f"clause vectors in {directory} do not match the sentences "
                                    f"({clause_vectors.shape} vectors, {len(clause_rows)} row offsets for "
                                    f"{len(vectors)} sentences): run `qa-service index --force`")
        return cls(vectors, rows, [p.passage_id for p in passages], clause_vectors, clause_rows)
