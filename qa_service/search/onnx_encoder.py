"""The serving encoder: the exported model in ONNX Runtime with the fast tokenizer.

Reproduces the sentence-transformers pipeline exactly: prompt + text, the tokenizer with
truncation at ``max_seq_length``, the transformer, mean pooling over the attention mask (or the
first token), L2 normalisation. Padding is masked out of the pooling, so a text's embedding does
not depend on the batch it was encoded in. Imports onnxruntime, tokenizers and numpy only.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import ModelError
from .onnx_files import MODEL_FILE, READY, TOKENIZER_FILE, read_marker
from .onnx_vocab import IDS_FILE, TRIMMED_FILE, covered

logger = logging.getLogger(__name__)

PASSAGE_BATCH = 8  # passages per session run while building the index (measured: README)


def default_threads() -> int:
    """Intra-op threads when not configured: every core.

    On 2 cores two threads beat one (README: 131 vs 74 never-seen questions/s through the
    micro-batcher, query p50 17.1 vs 19.3 ms); only under heavy outside load did one thread win.
    4 and 8 cores could not be measured here.
    """
    return max(1, os.cpu_count() or 1)


class OnnxEmbedder:
    """``encode_queries`` / ``encode_passages`` over an export made by ``onnx_export``."""

    def __init__(self, directory: Path, *, model_id: str, query_prompt: str = "query: ",
                 passage_prompt: str = "passage: ", threads: int = 0, batch_size: int = PASSAGE_BATCH,
                 max_seq_length: int = 512, marker: dict | None = None):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelError(f"onnxruntime or tokenizers is missing ({exc}): "
                             "pip install 'onnxruntime>=1.20,<2' 'tokenizers>=0.21,<1'") from exc
        directory = Path(directory)
        marker = marker or read_marker(directory)
        if marker is None or marker.get("status") != READY:
            raise ModelError(f"no usable ONNX export in {directory}: run `qa-service prepare-model`")
        self.model_id = model_id
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.batch_size = max(1, batch_size)
        self.dim = int(marker["dim"])
        self._pooling = marker["pooling"]
        self._lowercase = bool(marker.get("do_lower_case"))
        self.threads = threads or default_threads()
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        # Spinning workers would steal the cores the server's request threads need between runs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = ort.InferenceSession(str(directory / MODEL_FILE), options,
                                                 providers=["CPUExecutionProvider"])
            self._tokenizer, self._ids = _tokenizer(Tokenizer, directory, marker)
        except Exception as exc:  # a damaged file: onnxruntime raises its own exception types
            raise ModelError(f"cannot load the ONNX export in {directory}: {exc}; "
                             "run `qa-service prepare-model`") from exc
        self._inputs = {i.name for i in self._session.get_inputs()}
        # Passage batches grow the memory arena far past what questions need: give it back after.
        self._shrink = ort.RunOptions()
        self._shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        self._max_length = min(max_seq_length, int(marker["max_seq_length"]))
        _configure(self._tokenizer, self._max_length)
        self._full_file = directory / TOKENIZER_FILE
        self._full = None if self._ids is not None else self._tokenizer
        self._full_lock = threading.Lock()
        self._pad_id = int(marker["pad_token_id"])
        self.runtime = {"runtime": "onnxruntime", "onnxruntime": ort.__version__,
                        "opset": marker["opset"], "optimization": marker["optimization"],
                        "word_embeddings": marker["word_embeddings"],
                        "model_sha256": marker["files"][MODEL_FILE]["sha256"],
                        "min_cosine_vs_torch": marker["fidelity"]["min_cosine"]}

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions with the query prompt; shape ``(len(texts), dim)``."""
        return self._encode(texts, self.query_prompt, show_progress=False, shrink_after=False)

    def encode_passages(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        """Embed passages with the passage prompt; ``show_progress`` draws a tqdm bar."""
        return self._encode(texts, self.passage_prompt, show_progress=show_progress, shrink_after=True)

    def _encode(self, texts: Sequence[str], prompt: str, *, show_progress: bool, shrink_after: bool) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a list of texts, not a single string")
        texts = [prompt + text for text in texts]
        if self._lowercase:
            texts = [text.lower() for text in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = [self._token_ids(text) for text in texts]
        # Longest first, so each batch pads to lengths close to its own (less padding, same result).
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i]))
        starts = range(0, len(order), self.batch_size)
        steps = starts
        if show_progress:
            from tqdm import tqdm

            steps = tqdm(starts, desc="embedding", unit="batch")
        for start in steps:
            rows = order[start:start + self.batch_size]
            out[rows] = self._run([encodings[i] for i in rows], shrink=shrink_after and start == starts[-1])
        return out

    def _token_ids(self, text: str) -> np.ndarray:
        """The model's token ids of ``text``: by the trimmed tokenizer when its scripts cover the
        text (then mapped back to the model's ids), else by the full one (exactly the same ids)."""
        if self._ids is not None and covered(self._normalise(text)):
            return self._ids[self._tokenizer.encode(text).ids]
        return np.asarray(self._full_tokenizer().encode(text).ids, dtype=np.int64)

    def _normalise(self, text: str) -> str:
        normalizer = self._tokenizer.normalizer
        return normalizer.normalize_str(text) if normalizer is not None else text

    def _full_tokenizer(self):
        with self._full_lock:
            if self._full is None:
                from tokenizers import Tokenizer

                logger.info("a text outside the trimmed tokenizer's scripts: loading the full vocabulary")
                self._full = _configure(Tokenizer.from_file(str(self._full_file)), self._max_length)
            return self._full

    def _run(self, encodings, *, shrink: bool = False) -> np.ndarray:
        length = max(len(e) for e in encodings)
        ids = np.full((len(encodings), length), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), length), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, :len(encoding)] = encoding
            mask[row, :len(encoding)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        (hidden,) = self._session.run(["last_hidden_state"], feeds, self._shrink if shrink else None)
        return pool(hidden, mask, self._pooling)


def _tokenizer(tokenizer_class, directory: Path, marker: dict):
    """The tokenizer to load (the script-trimmed one when the export has it) and its id map."""
    if marker.get("vocabulary", {}).get("kind") == "script-trimmed":
        return (tokenizer_class.from_file(str(directory / TRIMMED_FILE)),
                np.load(directory / IDS_FILE, allow_pickle=False))
    return tokenizer_class.from_file(str(directory / TOKENIZER_FILE)), None


def _configure(tokenizer, max_length: int):
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)
    return tokenizer


def pool(hidden: np.ndarray, mask: np.ndarray, mode: str) -> np.ndarray:
    """sentence-transformers' pooling then ``normalize``: masked mean (or first token), unit L2."""
    if mode == "cls":
        vectors = hidden[:, 0, :]
    else:
        weights = mask.astype(np.float32)
        summed = np.einsum("btd,bt->bd", hidden, weights)
        vectors = summed / np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
    norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return (vectors / norms).astype(np.float32)
