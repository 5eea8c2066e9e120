"""The script-trimmed tokenizer: the export's vocabulary without the pieces of scripts that
Chinese and English text never contains, and the map from its ids back to the model's.

The XLM-R vocabulary has 250,002 pieces in a hundred scripts; the ``tokenizers`` Unigram model
holding them is the largest object in a server (~280 MB resident). Keeping only the pieces made
of Latin, CJK, punctuation and symbol characters keeps 138,567 of them and ~120 MB.

It is exact, not an approximation: the Unigram tokenizer picks the best-scoring segmentation
among the pieces that match the (normalised) text, and a text whose characters are all in the
kept scripts can only be matched by pieces made of those characters, all of which are kept with
their scores, so it gets the same pieces; their ids are mapped back with ``ids``. A text with
any other character (Cyrillic, Arabic, Hangul…) is tokenised by the full tokenizer, loaded the
first time one arrives. ``tests/test_onnx_vocab.py`` checks the equality on the whole corpus and
gold set.
"""
from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path

import numpy as np

from .onnx_files import MARKER, TOKENIZER_FILE, file_records

TRIMMED_FILE = "tokenizer.trimmed.json"
IDS_FILE = "tokenizer.trimmed.ids.npy"

# Code point ranges of the scripts kept: Latin (ASCII, Latin-1, Extended-A/B, Additional),
# general punctuation, symbols, arrows, shapes (and ▁, U+2581), CJK radicals, punctuation, kana,
# unified ideographs and extensions, compatibility ideographs, vertical and fullwidth forms.
KEPT_RANGES = ((0x0000, 0x024F), (0x1E00, 0x1EFF), (0x2000, 0x2BFF), (0x2E80, 0x9FFF),
               (0xF900, 0xFAFF), (0xFE10, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))
_FOREIGN = re.compile("[^" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in KEPT_RANGES) + "]")


def covered(normalised: str) -> bool:
    """True when every character of the (normalised) text is in a kept script."""
    return _FOREIGN.search(normalised) is None


def write_trimmed(directory: Path) -> dict | None:
    """Write the trimmed tokenizer and its id map beside ``tokenizer.json``; the marker section
    describing them, or None when the tokenizer is not a Unigram model (left untrimmed)."""
    directory = Path(directory)
    spec = json.loads((directory / TOKENIZER_FILE).read_text(encoding="utf-8"))
    model = spec.get("model") or {}
    if model.get("type") != "Unigram" or model.get("byte_fallback"):
        return None
    special = {token["id"] for token in spec.get("added_tokens", [])}
    kept = [i for i, (piece, _score) in enumerate(model["vocab"]) if i in special or covered(piece)]
    new_id = {old: new for new, old in enumerate(kept)}
    trimmed = dict(spec, model=dict(model, vocab=[model["vocab"][i] for i in kept]))
    if model.get("unk_id") is not None:
        trimmed["model"]["unk_id"] = new_id[model["unk_id"]]
    trimmed["added_tokens"] = [dict(t, id=new_id[t["id"]]) for t in spec.get("added_tokens", [])]
    trimmed["post_processor"] = _remapped(spec.get("post_processor"), new_id)
    _replace(directory / TRIMMED_FILE, json.dumps(trimmed, ensure_ascii=False).encode("utf-8"))
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(kept, dtype=np.int64))
    _replace(directory / IDS_FILE, buffer.getvalue())
    return {"kind": "script-trimmed", "pieces": len(kept), "of": len(model["vocab"]),
            "kept_ranges": [f"U+{a:04X}-U+{b:04X}" for a, b in KEPT_RANGES]}


def _replace(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all (a reader never sees half a file)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _remapped(processor, new_id: dict[int, int]):
    """The post-processor with its special tokens' ids in the trimmed numbering."""
    if isinstance(processor, dict):
        out = {}
        for key, value in processor.items():
            if key == "ids" and isinstance(value, list):
                out[key] = [new_id[i] for i in value]
            elif key in ("cls", "sep") and isinstance(value, list) and len(value) == 2:
                out[key] = [value[0], new_id[value[1]]]
            else:
                out[key] = _remapped(value, new_id)
        return out
    if isinstance(processor, list):
        return [_remapped(v, new_id) for v in processor]
    return processor


def add_to_export(directory: Path) -> dict:
    """Add the trimmed tokenizer to an export made before it existed; the updated marker.

    The files are written first and the marker replaced atomically last, so an interrupted run
    leaves the export as it was (a later run writes the files again).
    """
    directory = Path(directory)
    marker = json.loads((directory / MARKER).read_text(encoding="utf-8"))
    section = write_trimmed(directory)
    if section is None:
        marker["vocabulary"] = {"kind": "full"}
    else:
        marker["vocabulary"] = section
        marker["files"] = {**marker["files"], **file_records(directory, [TRIMMED_FILE, IDS_FILE])}
    _replace(directory / MARKER, (json.dumps(marker, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return marker


def main(argv: list[str] | None = None) -> int:
    """``python -m qa_service.search.onnx_vocab EXPORT_DIR``: run apart, so the JSON of the full
    vocabulary is parsed in a short-lived process, not in a server's memory."""
    (directory,) = argv if argv is not None else sys.argv[1:]
    add_to_export(Path(directory))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
