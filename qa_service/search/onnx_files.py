"""The ONNX export directory: its files, its marker (``export.json``) and the atomic write.

The marker says how the export was made (opset, optimisation, word-table dtype), from what
(the source model's fingerprint), how faithful it is (cosine with the sentence-transformers
embeddings) and the checksums of its files. It is written last: a directory without a valid
marker is not an export. A refused or failed export is recorded too (``status``), so a server
falls back to sentence-transformers without retrying the export on every start.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from . import files
from .files import sha256_file

FORMAT_VERSION = 1
MARKER = "export.json"
MODEL_FILE = "model.onnx"  # the graph; its weights are in DATA_FILE (mapped, not copied, by onnxruntime)
DATA_FILE = "model.onnx.data"
TOKENIZER_FILE = "tokenizer.json"
READY, REFUSED = "ready", "refused"


def read_marker(directory: Path, fingerprint: dict | None = None) -> dict | None:
    """The export's marker, or None when there is none, it is from another format version, or
    (given ``fingerprint``) it was made from another source model."""
    try:
        marker = json.loads((Path(directory) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("format_version") != FORMAT_VERSION:
        return None
    if fingerprint is not None and marker.get("source") != fingerprint:
        return None
    if marker.get("status") == READY and not files_present(directory, marker):
        return None
    return marker


def files_present(directory: Path, marker: dict) -> bool:
    """Every file the marker lists exists with its recorded size (cheap; checked on every load)."""
    for name, record in marker.get("files", {}).items():
        path = Path(directory) / name
        if not path.is_file() or path.stat().st_size != record["bytes"]:
            return False
    return bool(marker.get("files"))


def verify_checksums(directory: Path, marker: dict) -> list[str]:
    """Names of the files whose sha256 differs from the marker's (``prepare-model`` checks)."""
    return [name for name, record in marker.get("files", {}).items()
            if not (Path(directory) / name).is_file() or sha256_file(Path(directory) / name) != record["sha256"]]


def file_records(directory: Path, names: list[str]) -> dict:
    return {name: {"bytes": (directory / name).stat().st_size, "sha256": sha256_file(directory / name)}
            for name in names}


def write_atomically(dest: Path, fill: Callable[[Path], None]) -> Path:
    """Write the export directory ``dest`` through ``fill`` atomically; an export another process
    finished meanwhile (a valid marker) is kept."""
    return files.write_atomically(dest, fill, complete=lambda d: read_marker(d) is not None)
