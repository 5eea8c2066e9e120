"""Export a sentence-transformers model to ONNX, optimise it, check it, write it atomically.

The only place torch is needed besides the sentence-transformers fallback. The export is made
with ``torch.onnx.export`` (TorchScript exporter, dynamic batch and sequence axes), optimised
with onnxruntime's transformer fusions, its word-embedding table narrowed to float16, and then
encoded side by side with the sentence-transformers model on ``CHECK_TEXTS``: if any cosine
falls below ``MIN_COSINE`` the export is refused (and the refusal recorded) instead of used.
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .model_location import export_dir, prepare_model, source_fingerprint
from .files import write_json
from .onnx_files import (DATA_FILE, FORMAT_VERSION, MARKER, MODEL_FILE, READY, REFUSED, TOKENIZER_FILE, file_records,
                         write_atomically)

logger = logging.getLogger(__name__)

OPSET = 17
MIN_COSINE = 0.9999
SESSION_LEVEL = "ORT_ENABLE_ALL"  # what onnx_encoder applies when it loads the export
CHECK_TEXTS = (  # questions, passages, full-width punctuation, English, one past max length
    "2024年前三季度GDP是多少", "2022年四平粮食产量是多少", "十五五期间四平要建设哪几座城",
    "前三季度，全市地区生产总值实现451.83亿元，同比增长3.7%。",
    "粮食产量预计达到94亿斤，实现“十九连丰”。",
    "《四平日报》记者：今年全市新建5G基站1200个！你知道吗？",
    "The city's economy grew faster than expected in the first three quarters.",
    "四平", "", "（二）重农业、富农民，推进乡村全面振兴。" * 40,
)


class ExportImpossible(ModelError):
    """The model cannot be exported faithfully (architecture, pooling or fidelity)."""


def export_model(model: str, *, cache_dir: Path, opset: int = OPSET) -> dict:
    """Export ``model`` into its export directory and return the marker written there.

    Raises:
        ExportImpossible: the model's pipeline has no ONNX equivalent here, or the export's
            embeddings differ from sentence-transformers' (the refusal is recorded on disk).
        ModelError: torch or sentence-transformers is missing, or the model does not load.
    """
    started = time.perf_counter()
    location = prepare_model(model, cache_dir=cache_dir)
    dest = export_dir(model, cache_dir=cache_dir)
    fingerprint = source_fingerprint(model, location)
    try:
        marker = write_atomically(dest, lambda tmp: _export_into(tmp, model, location, fingerprint, opset)) / MARKER
    except ExportImpossible as exc:
        _record_refusal(dest, fingerprint, exc)
        raise
    except ModelError:
        raise  # torch missing or the model does not load: nothing to record, a later run retries
    except Exception as exc:  # an exporter or optimiser failure: this model is served by torch instead
        refusal = ExportImpossible(f"exporting {model} failed: {type(exc).__name__}: {exc}")
        _record_refusal(dest, fingerprint, refusal)
        raise refusal from exc
    result = json.loads(marker.read_text(encoding="utf-8"))
    logger.info("exported %s to %s in %.1f s (min cosine %.7f)", model, dest, time.perf_counter() - started,
                result["fidelity"]["min_cosine"])
    return result


def _record_refusal(dest: Path, fingerprint: dict, exc: Exception) -> None:
    write_atomically(dest, lambda tmp: write_json(tmp / MARKER, {
        "format_version": FORMAT_VERSION, "status": REFUSED, "source": fingerprint, "reason": str(exc)}))


def _export_into(tmp: Path, model: str, location: str, fingerprint: dict, opset: int) -> None:
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ModelError(f"the ONNX export needs torch and sentence-transformers ({exc}): "
                         "pip install torch==2.13.0 'sentence-transformers>=5,<7' 'onnx>=1.17,<2'") from exc
    from . import onnx_graph, onnx_vocab
    from .st_encoder import SentenceTransformerEmbedder

    try:  # eager attention traces to the MatMul/Softmax pattern the attention fusion recognises
        st = SentenceTransformer(location, device="cpu", model_kwargs={"attn_implementation": "eager"})
    except (TypeError, ValueError):
        st = SentenceTransformer(location, device="cpu")
    pooling, max_seq_length, lowercase = _pipeline(st)
    transformer = st[0]
    auto, tokenizer = transformer.auto_model.float().eval(), transformer.tokenizer
    if not hasattr(tokenizer, "backend_tokenizer"):
        raise ExportImpossible(f"{model} has no fast tokenizer (tokenizer.json)")
    config = auto.config
    sample = tokenizer(["query: 四平", "passage: 全市地区生产总值实现451.83亿元"], padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]
    raw = tmp / "raw.onnx"
    axes = {n: {0: "batch", 1: "sequence"} for n in names} | {"last_hidden_state": {0: "batch", 1: "sequence"}}
    try:
        with torch.inference_mode():
            torch.onnx.export(_Wrapper(auto, names), tuple(sample[n] for n in names), str(raw),
                              input_names=names, output_names=["last_hidden_state"], dynamic_axes=axes,
                              opset_version=opset, do_constant_folding=True, dynamo=False)
    except Exception as exc:  # the exporter raises many types for unsupported operators
        raise ExportImpossible(f"torch.onnx.export failed for {model}: {exc}") from exc
    graph, optimisation = onnx_graph.optimise(raw, model_type=config.model_type,
                                              num_heads=config.num_attention_heads, hidden_size=config.hidden_size)
    raw.unlink()
    tokenizer.backend_tokenizer.save(str(tmp / TOKENIZER_FILE))
    vocabulary = onnx_vocab.write_trimmed(tmp) or {"kind": "full"}
    marker = {
        "format_version": FORMAT_VERSION, "status": READY, "model": model, "source": fingerprint,
        "opset": opset, "optimization": {**optimisation, "session_level": SESSION_LEVEL},
        "dim": int((getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension)()),
        "pooling": pooling,
        "max_seq_length": max_seq_length, "do_lower_case": lowercase,
        "pad_token_id": int(tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0),
        "inputs": names, "torch": torch.__version__, "vocabulary": vocabulary,
    }
    del st, auto
    reference = SentenceTransformerEmbedder(model, cache_dir=tmp, location=location, max_seq_length=max_seq_length)
    marker = {**marker, "word_embeddings": "float32"}
    if onnx_graph.half_word_embeddings(graph) is not None:  # float16 table if fidelity holds
        _save(graph, tmp / MODEL_FILE)
        marker = _checked(tmp, marker, model, reference, "float16")
    if marker["word_embeddings"] != "float16":
        import onnx

        graph = onnx.load(str(tmp / MODEL_FILE))  # saving moved the weights out of the graph
        onnx_graph.widen_word_embeddings(graph)
        _save(graph, tmp / MODEL_FILE)
        marker = _checked(tmp, marker, model, reference, "float32")
    if marker["fidelity"]["min_cosine"] < MIN_COSINE:
        raise ExportImpossible(f"the ONNX export of {model} differs from sentence-transformers: minimum "
                               f"cosine {marker['fidelity']['min_cosine']:.6f} < {MIN_COSINE}")
    write_json(tmp / MARKER, marker)


def _pipeline(st) -> tuple[str, int, bool]:
    """(pooling, max_seq_length, do_lower_case) when the model is Transformer + Pooling [+ Normalize]."""
    kinds = [type(m).__name__ for m in st]
    if kinds[:2] != ["Transformer", "Pooling"] or kinds[2:] not in ([], ["Normalize"]):
        raise ExportImpossible(f"unsupported sentence-transformers modules {kinds}")
    config = st[1].get_config_dict()
    mode = config.get("pooling_mode")  # sentence-transformers 6; earlier versions: one flag per mode
    modes = {mode} if isinstance(mode, str) else {k.removeprefix("pooling_mode_") for k, v in config.items()
                                                  if k.startswith("pooling_mode_") and v is True}
    if modes not in ({"mean"}, {"mean_tokens"}, {"cls"}, {"cls_token"}):
        raise ExportImpossible(f"unsupported pooling {sorted(modes)}")
    if not config.get("include_prompt", True):
        raise ExportImpossible("pooling excludes the prompt (include_prompt=False)")
    pooling = "cls" if modes & {"cls", "cls_token"} else "mean"
    return pooling, int(st.max_seq_length or 512), bool(getattr(st[0], "do_lower_case", False))


def _fidelity(onnx_embedder, reference) -> dict:
    """Cosine of every check text, alone and in one padded batch, with the reference."""
    worst = 1.0
    for encode in ("encode_queries", "encode_passages"):
        expected = getattr(reference, encode)(list(CHECK_TEXTS))
        batched = getattr(onnx_embedder, encode)(list(CHECK_TEXTS))
        alone = np.vstack([getattr(onnx_embedder, encode)([t]) for t in CHECK_TEXTS])
        for got in (batched, alone):
            worst = min(worst, float(np.min(np.sum(got * expected, axis=1))))
    return {"min_cosine": round(worst, 9), "texts": 2 * len(CHECK_TEXTS), "threshold": MIN_COSINE}


def _checked(tmp: Path, marker: dict, model: str, reference, word_embeddings: str) -> dict:
    """The marker with the files and fidelity of ``tmp/model.onnx``; ``word_embeddings`` only if
    the fidelity holds (so a failed float16 attempt falls through to float32)."""
    from .onnx_encoder import OnnxEmbedder

    from .onnx_vocab import IDS_FILE, TRIMMED_FILE

    names = [MODEL_FILE, DATA_FILE, TOKENIZER_FILE]
    if marker.get("vocabulary", {}).get("kind") == "script-trimmed":
        names += [TRIMMED_FILE, IDS_FILE]
    marker = {**marker, "word_embeddings": word_embeddings, "files": file_records(tmp, names),
              "fidelity": {"min_cosine": 0.0}}
    fidelity = _fidelity(OnnxEmbedder(tmp, model_id=model, marker=marker), reference)
    logger.info("%s word table: %s", word_embeddings, fidelity)
    return {**marker, "fidelity": fidelity,
            "word_embeddings": word_embeddings if fidelity["min_cosine"] >= MIN_COSINE else "rejected"}


def _save(graph, path: Path) -> None:
    """The graph in ``path``, its weights in ``DATA_FILE`` beside it: onnxruntime maps that file
    instead of copying it, so only the word-table rows actually looked up become resident."""
    import onnx

    (path.parent / DATA_FILE).unlink(missing_ok=True)
    onnx.save_model(graph, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=DATA_FILE, size_threshold=1024)
    (path.parent / DATA_FILE).chmod(0o644)


class _Wrapper:
    """``auto_model(**inputs).last_hidden_state`` as an ``nn.Module`` with positional inputs."""

    def __new__(cls, auto, names):
        import torch

        class Wrapper(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.auto = auto

            def forward(self, *inputs):
                return self.auto(**dict(zip(names, inputs)), return_dict=True).last_hidden_state

        return Wrapper()


def main(argv: list[str] | None = None) -> int:
    """``python -m qa_service.search.onnx_export MODEL CACHE_DIR``: the server runs the export in a
    child process, so torch never enters the serving process."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("model")
    parser.add_argument("cache_dir", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        export_model(args.model, cache_dir=args.cache_dir)
    except ModelError as exc:
        print(f"ONNX export not made: {exc}")
        return 3 if isinstance(exc, ExportImpossible) else 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
