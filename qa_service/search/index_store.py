"""The index directory: passages, dense and BM25 files and a versioned manifest.

Builds go into a fresh ``build-*`` directory; the ``current`` symlink is then swapped with one
atomic rename, so a crash or Ctrl-C mid-build leaves the previous index in use.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..config import Settings
from ..corpus import build_corpus_passages
from ..corpus.loading import scan_corpus
from ..errors import CorpusError, IndexCorruptError, IndexMissingError, IndexStaleError
from ..types import Document, Passage
from .bm25 import DocFreq
from .changes import IndexChanges, compare_documents, document_hashes, read_documents, write_documents
from .context import dense_text, passage_context, store_records
from .dense import DenseConfig, DenseStore
from .embedding_cache import EmbeddingCache
from .manifest import (
    CURRENT,
    MANIFEST,
    check_manifest,
    current_dir,
    expected_identity,
    file_records,
    library_versions,
    read_manifest,
    verify_files,
)
from .sentence_vectors import SentenceVectors, clause_texts, save_sentence_vectors, sentence_texts
from .sparse import SparseStore
from .stores import build_stores, load_stores
from .tokenizer import tokenize

logger = logging.getLogger(__name__)

PASSAGES = "passages.jsonl"
DOCUMENTS = "documents.jsonl"


def dense_config(settings: Settings) -> DenseConfig:
    return DenseConfig(backend=settings.store, faiss_index=settings.faiss_index, qdrant_url=settings.qdrant_url,
                       qdrant_collection=settings.qdrant_collection, qdrant_api_key=settings.qdrant_api_key,
                       qdrant_shards=settings.qdrant_shards, qdrant_replicas=settings.qdrant_replicas,
                       qdrant_hnsw_m=settings.qdrant_hnsw_m, qdrant_hnsw_ef=settings.qdrant_hnsw_ef)


def index_is_current(settings: Settings) -> bool:
    try:
        manifest = read_manifest(settings.index_dir)
        check_manifest(manifest, settings)
        verify_files(current_dir(settings.index_dir), manifest)
    except (IndexMissingError, IndexStaleError, IndexCorruptError):
        return False
    return True


@dataclass(frozen=True)
class BuildResult:
    directory: Path
    passage_count: int
    seconds: float
    changes: IndexChanges | None = None


@contextlib.contextmanager
def build_lock(index_dir: Path):
    """One build at a time per index directory. A second builder says it is waiting, and for
    which process (the holder writes its pid into the lock file), then waits for the first."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".build.lock").open("a+") as fh:  # "a+": never truncate the holder's pid
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read(32).strip()
            logger.warning("waiting for another build of %s to finish (held by process %s)",
                           index_dir, holder if holder.isdigit() else "unknown")
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_index(settings: Settings, embedder, *, show_progress: bool = False) -> BuildResult:
    """Build passages, FAISS and BM25 indexes into a new directory and switch ``current`` to it."""
    with build_lock(settings.index_dir):
        return _build_index(settings, embedder, show_progress=show_progress)


def _previous_manifest(index_dir: Path) -> dict:
    try:
        return read_manifest(index_dir)
    except (IndexMissingError, IndexCorruptError):
        return {}


def _build_index(settings: Settings, embedder, *, show_progress: bool) -> BuildResult:
    started = time.perf_counter()
    scan = scan_corpus(settings.corpus_dir, root=settings.root, use_metadata=settings.metadata == "use")
    if not scan.documents:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in scan.skipped[:5])
        raise CorpusError(f"no readable documents in {settings.corpus_dir}" + (f" ({reasons})" if reasons else ""))
    documents = scan.documents
    by_id = {d.doc_id: d for d in documents}
    passages = build_corpus_passages(documents, max_chars=settings.max_passage_chars)
    contexts = [passage_context(p, by_id[p.doc_id]) for p in passages]
    dense_inputs = [dense_text(p) for p in passages]
    sentences, sentence_rows = sentence_texts(passages)
    clauses, clause_rows = clause_texts(sentences)
    previous = _previous_manifest(settings.index_dir)
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    target = settings.index_dir / f"build-{stamp}-{os.getpid()}"
    staging = settings.index_dir / f".tmp-{target.name}"
    staging.mkdir()
    try:
        cache = EmbeddingCache.load(settings.index_dir, settings.model, settings.passage_prompt)
        def encode(texts: list[str]):  # passages and answer sentences are embedded alike
            return embedder.encode_passages(texts, show_progress=show_progress)

        vectors, stats = cache.encode(dense_inputs, encode)
        sentence_vectors, sentence_stats = cache.encode(sentences, encode)
        clause_vectors, clause_stats = cache.encode(clauses, encode)
        hashes = document_hashes(documents)
        changes = compare_documents(previous.get("document_hashes") or {}, hashes, skipped=scan.skipped,
                                    embedded=stats.embedded, reused=stats.reused,
                                    sentences_embedded=sentence_stats.embedded, sentences_reused=sentence_stats.reused,
                                    clauses_embedded=clause_stats.embedded, clauses_reused=clause_stats.reused)
        records = store_records(passages, by_id, vectors, [tokenize(c) for c in contexts])
        changed = {*changes.added, *changes.removed, *changes.text_changed, *changes.metadata_changed}
        build_stores(records, dense_config(settings), staging, changed_docs=changed if previous else None,
                     previous=current_dir(settings.index_dir).resolve() if previous else None)
        with (staging / PASSAGES).open("w", encoding="utf-8") as fh:
            for p in passages:
                fh.write(json.dumps(asdict(p), ensure_ascii=False) + "\n")
        write_documents(staging / DOCUMENTS, documents)
        save_sentence_vectors(staging, sentence_vectors.reshape(len(sentences), vectors.shape[1]), sentence_rows,
                              clause_vectors.reshape(len(clauses), vectors.shape[1]), clause_rows)
        manifest = {
            **expected_identity(settings),
            "model_dim": int(vectors.shape[1]),
            "passage_count": len(passages),
            "documents": sorted(by_id),
            "document_hashes": hashes,
            "skipped": {s.path: s.reason for s in scan.skipped},
            "sentence_count": len(sentences),
            "clause_count": len(clauses),
            "embedded": {"new": stats.embedded, "cached": stats.reused,
                         "sentences_new": sentence_stats.embedded, "sentences_cached": sentence_stats.reused,
                         "clauses_new": clause_stats.embedded, "clauses_cached": clause_stats.reused},
            "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 2),
            "encoder": getattr(embedder, "runtime", None),  # informational: see expected_identity
            "libraries": library_versions(),
            "files": file_records(staging),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(staging, target)
        _switch_current(settings.index_dir, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        cache.save([*dense_inputs, *sentences, *clauses])
    except OSError as exc:  # the index is built; only the next build's time suffers
        logger.warning("cannot write the embedding cache in %s: %s", cache.directory, exc)
    _remove_old_builds(settings.index_dir, keep=target)
    return BuildResult(target, len(passages), time.perf_counter() - started, changes)


def _switch_current(index_dir: Path, target: Path) -> None:
    link = index_dir / f".{CURRENT}.tmp-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target.name)
    os.replace(link, index_dir / CURRENT)


def _remove_old_builds(index_dir: Path, *, keep: Path) -> None:
    """Delete builds older than the previous one (a process may still be loading that) and
    staging directories left by builders that died."""
    builds = sorted(p for p in index_dir.glob("build-*") if p.is_dir() and not p.is_symlink())
    for path in builds[:-2]:
        if path != keep:
            shutil.rmtree(path, ignore_errors=True)
    for path in index_dir.glob(".tmp-build-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and _alive(int(pid))):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class LoadedIndex:
    manifest: dict
    passages: list[Passage]
    dense: DenseStore
    bm25: SparseStore  # BM25: bm25s in the index directory, or the Qdrant collection's sparse vectors
    doc_freq: DocFreq  # term -> number of passages containing it (for term weights)
    documents: dict[str, Document] = field(default_factory=dict)  # as indexed: extracted text + metadata
    sentences: SentenceVectors | None = None  # each passage's answer sentences, embedded


def load_index(settings: Settings) -> LoadedIndex:
    """Load and verify the current index; refuse one built for other settings."""
    manifest = read_manifest(settings.index_dir)
    check_manifest(manifest, settings)
    directory = current_dir(settings.index_dir)
    verify_files(directory, manifest)
    try:
        with (directory / PASSAGES).open(encoding="utf-8") as fh:
            passages = [Passage(**json.loads(line)) for line in fh if line.strip()]
    except (OSError, ValueError, TypeError) as exc:
        raise IndexCorruptError(f"{directory / PASSAGES} is unreadable: {exc}") from exc
    count = manifest["passage_count"]
    if len(passages) != count:
        raise IndexCorruptError(f"{PASSAGES} has {len(passages)} passages, manifest says {count}")
    dense, bm25 = load_stores(directory, dense_config(settings), passage_ids=[p.passage_id for p in passages],
                              dim=manifest["model_dim"])
    documents = read_documents(directory / DOCUMENTS)
    sentences = SentenceVectors.load(directory, passages, dim=manifest["model_dim"])
    return LoadedIndex(manifest, passages, dense, bm25, DocFreq(bm25), {d.doc_id: d for d in documents}, sentences)
