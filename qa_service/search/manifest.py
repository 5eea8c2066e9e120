"""The index manifest: what an index was built from (model, prompts, corpus, pipeline) and its
files' checksums. An index whose identity differs from the settings is stale; one whose files
differ from their checksums is corrupt."""
from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from ..config import Settings
from ..corpus.loading import corpus_hash
from ..errors import IndexCorruptError, IndexMissingError, IndexStaleError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CURRENT = "current"
# Code and data that decide the passages, their tokens and their vectors: editing any of them
# makes old indexes stale (the tokenizer's dictionary, synonym words and stopwords included).
PIPELINE_FILES = (
    "corpus/loading.py", "corpus/layout.py", "corpus/passages.py", "corpus/sentences.py",
    "lexicon/cues.py", "lexicon/patterns.py", "lexicon/synonyms.py",
    "search/tokenizer.py", "search/bm25.py", "search/context.py", "search/dense/faiss_store.py",
    "data/userdict.txt", "data/synonyms.json", "data/stopwords.txt",
)
_LIBRARIES = ("faiss-cpu", "bm25s", "jieba", "onnxruntime", "tokenizers", "sentence-transformers", "torch",
              "transformers")


def pipeline_hash() -> str:
    """Fingerprint of ``PIPELINE_FILES``."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in PIPELINE_FILES:
        digest.update(name.encode() + b"\0" + (package / name).read_bytes())
    return digest.hexdigest()[:16]


def expected_identity(settings: Settings) -> dict:
    """The manifest fields that must match for an index to be usable with these settings.

    The encoder runtime (onnxruntime or sentence-transformers) is recorded in the manifest but is
    not part of the identity: an ONNX export is used only when its embeddings agree with the
    sentence-transformers model's to cosine ≥ 0.9999 (``onnx_export.MIN_COSINE``), i.e. it is the
    same model, and an index built by either runtime serves the other unchanged (eval identical).
    """
    return {
        "format_version": FORMAT_VERSION,
        "model": settings.model,
        "query_prompt": settings.query_prompt,
        "passage_prompt": settings.passage_prompt,
        "corpus_hash": corpus_hash(settings.corpus_dir),
        "max_passage_chars": settings.max_passage_chars,
        "store": settings.store,
        "faiss_index": settings.faiss_index,
        "pipeline": pipeline_hash(),
    }


def library_versions() -> dict:
    out = {}
    for name in _LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_records(directory: Path) -> dict:
    """Size and checksum of every file under ``directory`` but the manifest."""
    return {p.relative_to(directory).as_posix(): {"bytes": p.stat().st_size, "sha256": sha256_file(p)}
            for p in sorted(directory.rglob("*")) if p.is_file() and p.name != MANIFEST}


def current_dir(index_dir: Path) -> Path:
    return index_dir / CURRENT


def read_manifest(index_dir: Path) -> dict:
    path = current_dir(index_dir) / MANIFEST
    if not path.is_file():
        raise IndexMissingError(f"no index in {index_dir}: run `qa-service index`")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"{path} is unreadable ({exc}): run `qa-service index --force`") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files", {}), dict):
        raise IndexCorruptError(f"{path} is not an index manifest: run `qa-service index --force`")
    return manifest


def check_manifest(manifest: dict, settings: Settings) -> None:
    """Raise IndexStaleError when the index was built from another corpus, model or format."""
    expected = expected_identity(settings)
    wrong = [k for k, v in expected.items() if manifest.get(k) != v]
    if wrong:
        details = ", ".join(f"{k}: index has {manifest.get(k)!r}, expected {expected[k]!r}"
                            for k in wrong if k not in ("corpus_hash", "pipeline"))
        if "pipeline" in wrong:
            details = "the indexing code changed" + (f"; {details}" if details else "")
        if "corpus_hash" in wrong:
            details = "corpus files changed" + (f"; {details}" if details else "")
        raise IndexStaleError(f"index in {settings.index_dir} is stale ({details}): run `qa-service index`")


def verify_files(directory: Path, manifest: dict) -> None:
    for name, record in manifest.get("files", {}).items():
        path = directory / name
        if not path.is_file() or path.stat().st_size != record["bytes"] or sha256_file(path) != record["sha256"]:
            raise IndexCorruptError(f"index file {path} is missing, truncated or modified: "
                                    "run `qa-service index --force`")
