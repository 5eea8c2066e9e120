"""Sentence embeddings: choose the encoder for a model and load it.

Serving and index builds use the model's ONNX export in onnxruntime (``onnx_encoder``), which
imports neither torch nor transformers. A missing export is made first, in a child process (so
torch never enters a server's memory); a model that cannot be exported faithfully is encoded
with sentence-transformers instead, and the log says so.
"""
from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from ..config import DEFAULT_MODEL
from ..errors import ModelError
from .model_location import export_dir, prepare_model, source_fingerprint
from .onnx_encoder import OnnxEmbedder
from .onnx_files import READY, read_marker
from .st_encoder import SentenceTransformerEmbedder

logger = logging.getLogger(__name__)

__all__ = ["OnnxEmbedder", "SentenceTransformerEmbedder", "ensure_export", "load_embedder",
           "prepare_model"]


def ensure_export(model: str, *, cache_dir: Path, in_process: bool = False) -> dict:
    """The marker of ``model``'s ONNX export (``status`` "ready" or "refused"), exporting it first
    when missing or made from another source.

    ``in_process`` runs the export here (``prepare-model`` does, torch is expected there);
    otherwise it runs in a child process.

    Raises:
        ModelError: the model cannot be prepared, or the export failed without recording why.
    """
    location = prepare_model(model, cache_dir=cache_dir)
    directory = export_dir(model, cache_dir=cache_dir)
    marker = read_marker(directory, source_fingerprint(model, location))
    if marker is not None:
        if marker.get("status") == READY and "vocabulary" not in marker:
            marker = _add_vocabulary(directory, in_process=in_process) or marker
        return marker
    logger.info("exporting %s to ONNX in %s (one-off, under a minute)", model, directory)
    if in_process:
        from .onnx_export import ExportImpossible, export_model

        try:
            export_model(model, cache_dir=cache_dir)
        except ExportImpossible:
            pass  # recorded in the marker
    else:
        done = subprocess.run([sys.executable, "-m", "qa_service.search.onnx_export", model, str(cache_dir)],
                              capture_output=True, text=True)
        if done.returncode not in (0, 3):
            raise ModelError(f"the ONNX export of {model} failed: {(done.stdout + done.stderr).strip()[-600:]}")
    marker = read_marker(directory, source_fingerprint(model, location))
    if marker is None:
        raise ModelError(f"the ONNX export of {model} left no marker in {directory}")
    return marker


def _add_vocabulary(directory: Path, *, in_process: bool) -> dict | None:
    """Give an export made before the trimmed tokenizer existed its trimmed tokenizer (once)."""
    logger.info("adding the script-trimmed tokenizer to the export in %s (one-off, seconds)", directory)
    if in_process:
        from .onnx_vocab import add_to_export

        return add_to_export(directory)
    done = subprocess.run([sys.executable, "-m", "qa_service.search.onnx_vocab", str(directory)],
                          capture_output=True, text=True)
    if done.returncode != 0:  # the full tokenizer still serves: slower to load, same embeddings
        logger.warning("could not add the trimmed tokenizer: %s", (done.stdout + done.stderr).strip()[-400:])
        return None
    return read_marker(directory)


def load_embedder(model: str = DEFAULT_MODEL, *, cache_dir: Path, query_prompt: str = "query: ",
                  passage_prompt: str = "passage: ", threads: int = 0, runtime: str = "onnx"):
    """The encoder for ``model``: ONNX Runtime when its export is usable, else sentence-transformers.

    ``runtime="torch"`` asks for sentence-transformers outright (the benchmark's reference).

    Raises:
        ModelError: the model cannot be prepared or loaded by either runtime.
    """
    marker = ensure_export(model, cache_dir=cache_dir) if runtime == "onnx" else {"reason": "asked for torch"}
    if marker.get("status") == READY:
        return OnnxEmbedder(export_dir(model, cache_dir=cache_dir), model_id=model, query_prompt=query_prompt,
                            passage_prompt=passage_prompt, threads=threads, marker=marker)
    if runtime == "onnx":
        logger.warning("model %s has no faithful ONNX export (%s): encoding with sentence-transformers (torch); "
                       "to retry the export, delete %s and run `qa-service prepare-model`",
                       model, marker.get("reason", "no reason recorded"), export_dir(model, cache_dir=cache_dir))
    if threads:
        import torch

        torch.set_num_threads(threads)
    return SentenceTransformerEmbedder(model, cache_dir=cache_dir, query_prompt=query_prompt,
                                       passage_prompt=passage_prompt)
