"""The index directory: passages, FAISS and BM25 files and a versioned manifest.

Builds go into a fresh ``build-*`` directory; the ``current`` symlink is then swapped with one
atomic rename, so a crash or Ctrl-C mid-build leaves the previous index in use.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from .config import Settings
from .corpus import corpus_hash, load_corpus
from .dense import FaissStore
from .errors import IndexCorruptError, IndexMissingError, IndexStaleError
from .lexical import BM25Index, tokenize
from .reflow import build_corpus_passages
from .types import Document, Passage

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
CURRENT = "current"
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
DENSE = "dense.faiss"
BM25_DIR = "bm25"


def passage_context(p: Passage, doc: Document) -> str:
    """What is embedded and BM25-indexed: a date/title/section header, then the passage."""
    years = "、".join(f"{y}年" for y in doc.meta.reports_on)
    header = " ".join(x for x in (p.date, years, p.title, p.section) if x)
    return f"【{header}】{p.text}"


def pipeline_hash() -> str:
    """Fingerprint of the code and data that turn the corpus into index files: editing the
    reflow rules, the tokenizer dictionary or the indexed context makes old indexes stale."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in ("reflow.py", "lexical.py", "store.py", "dense.py", "data/userdict.txt"):
        digest.update(name.encode() + b"\0" + (package / name).read_bytes())
    return digest.hexdigest()[:16]


def expected_identity(settings: Settings) -> dict:
    """The manifest fields that must match for an index to be usable with these settings."""
    return {
        "format_version": FORMAT_VERSION,
        "model": settings.model,
        "query_prompt": settings.query_prompt,
        "passage_prompt": settings.passage_prompt,
        "corpus_hash": corpus_hash(settings.corpus_dir),
        "max_passage_chars": settings.max_passage_chars,
        "faiss_index": settings.faiss_index,
        "pipeline": pipeline_hash(),
    }


def _versions() -> dict:
    out = {}
    for name in ("faiss-cpu", "bm25s", "jieba", "sentence-transformers", "torch", "transformers"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _file_records(directory: Path) -> dict:
    return {p.relative_to(directory).as_posix(): {"bytes": p.stat().st_size, "sha256": _sha256(p)}
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


def index_is_current(settings: Settings) -> bool:
    try:
        manifest = read_manifest(settings.index_dir)
        check_manifest(manifest, settings)
        verify_files(current_dir(settings.index_dir), manifest)
    except (IndexMissingError, IndexStaleError, IndexCorruptError):
        return False
    return True


def verify_files(directory: Path, manifest: dict) -> None:
    for name, record in manifest.get("files", {}).items():
        path = directory / name
        if not path.is_file() or path.stat().st_size != record["bytes"] or _sha256(path) != record["sha256"]:
            raise IndexCorruptError(f"index file {path} is missing, truncated or modified: "
                                    "run `qa-service index --force`")


@dataclass(frozen=True)
class BuildResult:
    directory: Path
    passage_count: int
    seconds: float


@contextlib.contextmanager
def build_lock(index_dir: Path):
    """One build at a time per index directory (a second builder waits for the first)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".build.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_index(settings: Settings, embedder, *, show_progress: bool = False) -> BuildResult:
    """Build passages, FAISS and BM25 indexes into a new directory and switch ``current`` to it."""
    with build_lock(settings.index_dir):
        return _build_index(settings, embedder, show_progress=show_progress)


def _build_index(settings: Settings, embedder, *, show_progress: bool) -> BuildResult:
    started = time.perf_counter()
    documents = load_corpus(settings.corpus_dir, root=settings.root)
    by_id = {d.doc_id: d for d in documents}
    passages = build_corpus_passages(documents, max_chars=settings.max_passage_chars)
    contexts = [passage_context(p, by_id[p.doc_id]) for p in passages]
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    target = settings.index_dir / f"build-{stamp}-{os.getpid()}"
    staging = settings.index_dir / f".tmp-{target.name}"
    staging.mkdir()
    try:
        vectors = embedder.encode_passages(contexts, show_progress=show_progress)
        FaissStore.build(vectors, kind=settings.faiss_index).save(staging / DENSE)
        BM25Index.build([tokenize(c) for c in contexts]).save(staging / BM25_DIR)
        with (staging / PASSAGES).open("w", encoding="utf-8") as fh:
            for p in passages:
                fh.write(json.dumps(asdict(p), ensure_ascii=False) + "\n")
        manifest = {
            **expected_identity(settings),
            "model_dim": int(vectors.shape[1]),
            "passage_count": len(passages),
            "documents": sorted(by_id),
            "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "libraries": _versions(),
            "files": _file_records(staging),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(staging, target)
        _switch_current(settings.index_dir, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _remove_old_builds(settings.index_dir, keep=target)
    return BuildResult(target, len(passages), time.perf_counter() - started)


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
    dense: FaissStore
    bm25: BM25Index
    doc_freq: "DocFreq"  # term -> number of passages containing it (for term weights)


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
    dense = FaissStore.load(directory / DENSE, kind=manifest["faiss_index"], count=count,
                            dim=manifest["model_dim"])
    bm25 = BM25Index.load(directory / BM25_DIR, count=count)
    return LoadedIndex(manifest, passages, dense, bm25, DocFreq(bm25))


class DocFreq:
    """How many passages contain a term, from the BM25 index's statistics (O(1) per term).

    A term that is not itself a token (生产总值 inside 地区生产总值) gets the smallest count of
    its search-mode tokens: an upper bound, which is all term weighting needs.
    """

    def __init__(self, bm25: BM25Index):
        self._bm25 = bm25
        self._cache: dict[str, int] = {}

    def __len__(self) -> int:
        return self._bm25.count

    def get(self, term: str, default: int = 0) -> int:
        term = term.lower()
        if term not in self._cache:
            df = self._bm25.document_frequency(term)
            if df == 0:
                parts = tokenize(term, keep_stopwords=True)
                df = min((self._bm25.document_frequency(t) for t in parts), default=0) if parts else 0
            self._cache[term] = df
        return self._cache[term]
