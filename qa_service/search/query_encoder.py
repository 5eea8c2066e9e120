"""Query embeddings for a multi-threaded server: an LRU cache in front of a micro-batcher.

Encoding one short question costs a few milliseconds of model time (onnxruntime; ~20 ms with
torch), much of it fixed overhead per call; eight questions in one call cost far less than eight. Concurrent requests therefore
hand their question to one worker thread, which encodes whatever queued up while it was busy
as a single batch: a lone request pays nothing extra, a burst is batched.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
from collections import OrderedDict
from concurrent.futures import Future

import numpy as np

logger = logging.getLogger(__name__)


def default_batch() -> int:
    """Most questions per encoder run when not configured (measured on 2 cores; see README)."""
    return 8 if (os.cpu_count() or 1) <= 2 else 16


class QueryEncoder:
    """``encode_queries([text])`` with caching and cross-thread batching."""

    def __init__(self, embedder, *, cache_size: int = 2048, max_batch: int = 16):
        self._embedder = embedder
        self._cache_size = cache_size
        self._max_batch = max_batch
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._queue: queue.Queue[tuple[str, Future]] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def clear(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        vectors = [self._encode_one(text) for text in texts]
        return np.vstack(vectors) if vectors else np.zeros((0, self._embedder.dim), dtype=np.float32)

    def _encode_one(self, text: str) -> np.ndarray:
        with self._cache_lock:
            if text in self._cache:
                self._cache.move_to_end(text)
                return self._cache[text]
        future: Future = Future()
        self._ensure_worker()
        self._queue.put((text, future))
        vector = future.result()
        with self._cache_lock:
            self._cache[text] = vector
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector

    def _ensure_worker(self) -> None:
        with self._start_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="query-encoder", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            try:  # take what queued up while the previous batch was encoding; never wait for more
                while len(batch) < self._max_batch:
                    batch.append(self._queue.get_nowait())
            except queue.Empty:
                pass
            texts = list(dict.fromkeys(text for text, _ in batch))
            try:
                vectors = dict(zip(texts, self._embedder.encode_queries(texts)))
            except Exception as exc:  # hand the error to every waiting request
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for text, future in batch:
                future.set_result(vectors[text][None, :])
