"""The sentence-transformers (torch) encoder: the reference the ONNX export is checked against,
and the fallback for a model that cannot be exported. Serving normally uses ``onnx_encoder``.

torch and sentence-transformers are imported only when a model is loaded.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import numpy as np

from ..config import DEFAULT_MODEL
from ..errors import ModelError

logger = logging.getLogger(__name__)

def _compact_word_embeddings(st_model) -> None:
    """Keep the 250k-token embedding table in float16 and compute everything else in float32.

    The converted weights are float16 values, so nothing is lost. The model is loaded in float16
    and only the small layers are widened, so the 384 MB float32 table never exists: ~190 MB
    less per process, and no load-time peak.
    """
    import torch

    auto = getattr(st_model[0], "auto_model", None)
    table = getattr(getattr(auto, "embeddings", None), "word_embeddings", None)
    if not isinstance(table, torch.nn.Embedding):
        return
    for module in auto.modules():
        if module is table:
            continue
        for name, param in module.named_parameters(recurse=False):
            if param.dtype == torch.float16:
                setattr(module, name, torch.nn.Parameter(param.detach().float(), requires_grad=False))
        for name, buf in module.named_buffers(recurse=False):
            if buf.dtype == torch.float16:
                module.register_buffer(name, buf.float())

    class HalfEmbedding(torch.nn.Embedding):
        def forward(self, ids):  # noqa: D401 - same contract as nn.Embedding
            return torch.nn.functional.embedding(ids, self.weight, self.padding_idx).float()

    compact = HalfEmbedding(table.num_embeddings, table.embedding_dim, padding_idx=table.padding_idx,
                            dtype=torch.float16, device="meta")
    compact.weight = torch.nn.Parameter(table.weight.detach().to(torch.float16), requires_grad=False)
    auto.embeddings.word_embeddings = compact
    del table
    _release_free_memory()


def _torch_float16():
    import torch

    return torch.float16


def _release_free_memory() -> None:
    """Hand freed heap pages back to the OS (glibc keeps them otherwise)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


class SentenceTransformerEmbedder:
    """A sentence-transformers model with the E5 prompts, returning unit-length float32 rows.

    Rows are L2-normalised so that inner product equals cosine similarity in the vector store.
    """

    def __init__(self, model: str = DEFAULT_MODEL, *, cache_dir: Path, query_prompt: str = "query: ",
                 passage_prompt: str = "passage: ", batch_size: int = 32, max_seq_length: int = 512,
                 location: str | None = None):
        from .model_location import prepare_model

        self.model_id = model
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.batch_size = batch_size
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelError(f"sentence-transformers is not usable ({exc}); install torch==2.13.0 "
                             "first, then: pip install 'sentence-transformers>=5,<7'") from exc
        location = location or prepare_model(model, cache_dir=cache_dir)
        try:
            # The converted default model is stored in float16: load it so, then widen (below).
            kwargs = {"model_kwargs": {"dtype": _torch_float16()}} if model == DEFAULT_MODEL else {}
            self._model = SentenceTransformer(location, **kwargs)
        except Exception as exc:  # hub, file-format and config errors all mean "cannot load"
            reason = str(exc).strip().rstrip(".")
            raise ModelError(f"cannot load embedding model {model!r} from {location!r}: {reason}. "
                             "Use a sentence-transformers model directory, a hub name (needs a hub "
                             f"connection or a filled hub cache) or {DEFAULT_MODEL!r}") from exc
        if model == DEFAULT_MODEL:
            _compact_word_embeddings(self._model)
        # Longer inputs are truncated; never ask for more positions than the model has.
        self._model.max_seq_length = min(max_seq_length, self._model.max_seq_length or max_seq_length)
        dimension = getattr(self._model, "get_embedding_dimension", None) \
            or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        import torch

        self.runtime = {"runtime": "sentence-transformers", "torch": torch.__version__}

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions with the query prompt; shape ``(len(texts), dim)``."""
        return self._encode(texts, self.query_prompt, show_progress=False)

    def encode_passages(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        """Embed passages with the passage prompt; ``show_progress`` draws a tqdm bar."""
        return self._encode(texts, self.passage_prompt, show_progress=show_progress)

    def _encode(self, texts: Sequence[str], prompt: str, *, show_progress: bool) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a list of texts, not a single string")
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(texts, prompt=prompt, batch_size=self.batch_size,
                                     show_progress_bar=show_progress, normalize_embeddings=True,
                                     convert_to_numpy=True)
        return np.ascontiguousarray(vectors, dtype=np.float32)
