"""Passage embeddings cached by content hash and model, so a rebuild embeds only new text.

The cache lives next to the builds (``index/embedding-cache/<model key>/``), one ``.npy`` matrix
and a JSON list of row keys, rewritten atomically under the index build lock. A key is the
SHA-256 of the exact text embedded; the directory is chosen by the model id, the passage prompt
and the cache format, so vectors from another model can never be mixed in. Each build still
writes a complete dense index of its own: the cache only saves the encoder's time.
"""
from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

logger = logging.getLogger(__name__)

CACHE_DIR = "embedding-cache"
CACHE_FORMAT = 1
_FILE = "vectors.npz"  # keys and vectors in one file: one atomic rename, never a mismatch


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def model_key(model: str, passage_prompt: str) -> str:
    raw = f"{CACHE_FORMAT}\0{model}\0{passage_prompt}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class EncodeStats:
    embedded: int  # passages run through the model in this build
    reused: int  # passages whose vectors came from the cache


class EmbeddingCache:
    """Vectors by text key for one model; ``load`` tolerates a missing or damaged cache."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._rows: dict[str, np.ndarray] = {}

    @classmethod
    def load(cls, index_dir: Path, model: str, passage_prompt: str) -> "EmbeddingCache":
        cache = cls(index_dir / CACHE_DIR / model_key(model, passage_prompt))
        try:
            with np.load(cache.directory / _FILE, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
                if keys.ndim == 1 and vectors.ndim == 2 and len(keys) == len(vectors):
                    cache._rows = {str(k): vectors[i] for i, k in enumerate(keys)}
        except (OSError, ValueError, KeyError, EOFError):
            pass  # no cache yet, or an unreadable one: everything is embedded again
        return cache

    def __len__(self) -> int:
        return len(self._rows)

    def encode(self, texts: Sequence[str], encode: Callable[[list[str]], np.ndarray]) -> tuple[np.ndarray, EncodeStats]:
        """Vectors for ``texts``: cached rows, and ``encode`` run on the rest only."""
        keys = [text_key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._rows))
        if missing:
            first = {k: t for k, t in zip(reversed(keys), reversed(texts))}
            fresh = encode([first[k] for k in missing])
            for k, row in zip(missing, fresh):
                self._rows[k] = np.asarray(row, dtype=np.float32)
        fresh_keys = set(missing)
        reused = sum(1 for k in keys if k not in fresh_keys)
        vectors = np.stack([self._rows[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)
        return np.ascontiguousarray(vectors, dtype=np.float32), EncodeStats(len(missing), reused)

    def save(self, keep: Sequence[str]) -> None:
        """Write the cache atomically, keeping the rows of ``keep`` (this build's texts) and, up
        to the same number again, older rows (an undo of a removal then embeds nothing)."""
        keep_keys = list(dict.fromkeys(text_key(t) for t in keep))
        kept = set(keep_keys)
        older = [k for k in self._rows if k not in kept][: max(len(keep_keys), 1000)]
        keys = keep_keys + older
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / f".{_FILE}.{os.getpid()}.tmp"
        with tmp.open("wb") as fh:
            np.savez(fh, keys=np.array(keys, dtype="<U32"),
                     vectors=np.stack([self._rows[k] for k in keys]).astype(np.float32))
        os.replace(tmp, self.directory / _FILE)


class LazyEmbedder:
    """An embedder loaded on first use: a build whose passages are all cached needs no model."""

    def __init__(self, factory: Callable[[], object]):
        self._factory = factory
        self._embedder = None
        self.load_seconds = 0.0

    @property
    def loaded(self) -> bool:
        return self._embedder is not None

    def get(self):
        if self._embedder is None:
            started = time.perf_counter()
            self._embedder = self._factory()
            self.load_seconds = time.perf_counter() - started
        return self._embedder

    def encode_passages(self, texts, *, show_progress: bool = False) -> np.ndarray:
        return self.get().encode_passages(texts, show_progress=show_progress)
