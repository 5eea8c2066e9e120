"""The index manifest: what an index was built from (model, prompts, corpus, pipeline) and its
files' checksums. An index whose identity differs from the settings is stale; one whose files
differ from their checksums is corrupt."""
from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path, PurePosixPath

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from ..config import Settings
from ..corpus.loading import corpus_hash
from ..errors import IndexCorruptError, IndexMissingError, IndexStaleError
from .files import sha256_file

FORMAT_VERSION = 2  # 2: documents.jsonl (extracted texts + metadata) in the index
MANIFEST = "manifest.json"
CURRENT = "current"
# Code and data that decide the passages, their tokens and their vectors: editing any of them
# makes old indexes stale (the tokenizer's dictionary, synonym words and stopwords included).
PIPELINE_FILES = (
    "corpus/loading.py", "corpus/formats.py", "corpus/extracted.py", "corpus/markup.py", "corpus/inference.py", "corpus/layout.py", "corpus/passages.py", "corpus/sentences.py",
    "lexicon/cues.py", "lexicon/patterns.py", "lexicon/synonyms.py",
    "search/tokenizer.py", "search/bm25.py", "search/context.py", "search/dense/faiss_store.py",
    "search/sparse.py", "search/qdrant/collection.py", "search/sentence_vectors.py",
    "data/userdict.txt", "data/synonyms.json", "data/stopwords.txt",
)
_HEX = {"type": "string", "pattern": "^[0-9a-f]+$"}
_COUNT = {"type": "integer", "minimum": 0}
# The one schema a manifest is read through: a missing field, a wrong type or an impossible
# value means the index is corrupt (and is rebuilt), never a KeyError or TypeError later.
# Fields not listed are allowed (a newer build may record more).
MANIFEST_SCHEMA = {
    "type": "object",
    "properties": {
        "format_version": {"type": "integer"},
        "model": {"type": "string", "minLength": 1},
        "query_prompt": {"type": "string"},
        "passage_prompt": {"type": "string"},
        "corpus_hash": {**_HEX, "minLength": 64, "maxLength": 64},
        "max_passage_chars": {"type": "integer", "minimum": 1},
        "store": {"type": "string", "minLength": 1},
        "faiss_index": {"type": "string", "minLength": 1},
        "pipeline": {**_HEX, "minLength": 16, "maxLength": 16},
        "model_dim": {"type": "integer", "minimum": 1},
        "passage_count": _COUNT,
        "documents": {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True},
        "built_at": {"type": "string", "minLength": 1},
        "libraries": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
        "files": {"type": "object", "minProperties": 1, "additionalProperties": {
            "type": "object", "required": ["bytes", "sha256"], "additionalProperties": False,
            "properties": {"bytes": _COUNT, "sha256": {**_HEX, "minLength": 64, "maxLength": 64}}}},
    },
    "required": ["format_version", "model", "query_prompt", "passage_prompt", "corpus_hash",
                 "max_passage_chars", "store", "faiss_index", "pipeline", "model_dim", "passage_count",
                 "documents", "built_at", "files"],
}
# Every index has these among its checksummed files: the passages, something under each of the
# dense and BM25 folders, the sentence vectors (so an emptied "files" cannot make the checksum
# check check nothing).
REQUIRED_FILES = ("passages.jsonl", "dense/", "bm25/", "sentence_vectors.npy", "sentence_rows.npy")
_VALIDATOR = Draft202012Validator(MANIFEST_SCHEMA)
_LIBRARIES = ("faiss-cpu", "bm25s", "qdrant-client", "jieba", "onnxruntime", "tokenizers", "sentence-transformers", "torch",
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
        "metadata": settings.metadata,
        "max_passage_chars": settings.max_passage_chars,
        "store": settings.store,
        "faiss_index": settings.faiss_index,
        "pipeline": pipeline_hash(),
        # the collection an index's vectors live in (a server's address without credentials)
        **({"qdrant": {"url": settings.qdrant_url, "collection": settings.qdrant_collection}}
           if settings.store == "qdrant" else {}),
    }


def library_versions() -> dict:
    out = {}
    for name in _LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def file_records(directory: Path) -> dict:
    """Size and checksum of every file under ``directory`` but the manifest (local-mode Qdrant
    storage included: opening it for search leaves its files unchanged)."""
    return {p.relative_to(directory).as_posix(): {"bytes": p.stat().st_size, "sha256": sha256_file(p)}
            for p in sorted(directory.rglob("*")) if p.is_file() and p.name != MANIFEST}


def current_dir(index_dir: Path) -> Path:
    return index_dir / CURRENT


def read_manifest(index_dir: Path) -> dict:
    """The current index's manifest, checked against ``MANIFEST_SCHEMA``.

    Raises IndexMissingError when there is none, IndexCorruptError when it is unreadable or
    does not fit the schema (both say what to run)."""
    path = current_dir(index_dir) / MANIFEST
    if not path.is_file():
        raise IndexMissingError(f"no index in {index_dir}: run `qa-service index`")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise IndexCorruptError(f"{path} is unreadable ({_short(exc)}): run `qa-service index --force`") from exc
    problem = manifest_problem(manifest)
    if problem:
        raise IndexCorruptError(f"{path} is not a valid index manifest ({problem}): "
                                "run `qa-service index --force`")
    return manifest


def manifest_problem(manifest) -> str | None:
    """What is wrong with a decoded manifest (schema, then file list), or None."""
    error = best_match(_VALIDATOR.iter_errors(manifest))
    if error is not None:
        where = error.json_path if error.path else "manifest"
        return f"{where}: {_short(error.message)}"
    files = manifest["files"]
    for name in files:
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts or "\\" in name or not parts:
            return f"$.files: {name[:80]!r} is not a path inside the index"
    for required in REQUIRED_FILES:
        present = any(n.startswith(required) for n in files) if required.endswith("/") else required in files
        if not present:
            return f"$.files lists no {required} file"
    return None


def _short(value, limit: int = 160) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


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
    """Raise IndexCorruptError unless every file the manifest lists has its size and checksum."""
    for name, record in manifest["files"].items():
        path = directory / name
        try:
            intact = (path.is_file() and path.stat().st_size == record["bytes"]
                      and sha256_file(path) == record["sha256"])
        except OSError as exc:
            raise IndexCorruptError(f"index file {path} is unreadable ({_short(exc)}): "
                                    "run `qa-service index --force`") from exc
        if not intact:
            raise IndexCorruptError(f"index file {path} is missing, truncated or modified: "
                                    "run `qa-service index --force`")
