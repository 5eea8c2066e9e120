"""The index store: build/load round trip, staleness, corruption, atomic rebuilds, FAISS, BM25.

A tiny deterministic fake embedder (hashed character bigrams) stands in for the real model, so
a full build of the real corpus takes a fraction of a second. ``test_retrieve.py`` and
``test_cli.py`` import ``FakeEmbedder`` and ``ticking_clock`` from here.
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from qa_service import store
from qa_service.config import load_settings
from qa_service.dense import FaissStore
from qa_service.errors import ConfigError, IndexCorruptError, IndexMissingError, IndexStaleError
from qa_service.lexical import BM25Index, tokenize
from qa_service.service import ensure_index
from qa_service.store import (
    BM25_DIR,
    DENSE,
    MANIFEST,
    PASSAGES,
    build_index,
    build_lock,
    current_dir,
    index_is_current,
    load_index,
    passage_context,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
NO_TOML = Path("/nonexistent/qa_service.toml")


class FakeEmbedder:
    """Hashed character bigrams in 64 dimensions, L2-normalised, float32; deterministic."""

    dim = 64

    def __init__(self):
        self.passage_calls = 0
        self.query_calls = 0

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for pair in zip(text, text[1:]):
            digest = hashlib.blake2b("".join(pair).encode(), digest_size=4).digest()
            vec[int.from_bytes(digest, "little") % self.dim] += 1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:  # texts shorter than two characters
            vec[0] = norm = 1.0
        return vec / norm

    def encode_passages(self, texts, show_progress=False):
        self.passage_calls += 1
        return np.stack([self._vector(t) for t in texts]).astype(np.float32)

    def encode_queries(self, texts):
        self.query_calls += 1
        return np.stack([self._vector(t) for t in texts]).astype(np.float32)


class CrashingEmbedder(FakeEmbedder):
    """Dies inside the build, after the staging directory exists."""

    def __init__(self, exc: BaseException):
        super().__init__()
        self.exc = exc

    def encode_passages(self, texts, show_progress=False):
        raise self.exc


def ticking_clock(monkeypatch, *, step: datetime.timedelta = datetime.timedelta(seconds=1)):
    """Make ``store``'s clock advance ``step`` per call.

    Build directories are named after the UTC second they start in; a clock ticking in whole
    seconds gives back-to-back builds distinct names however fast the machine is, and one
    ticking in milliseconds makes them start within the same second.
    """
    counter = itertools.count()
    base = datetime.datetime(2099, 1, 1, 12, 0, 0)  # after any real build

    class Clock(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return (base + step * next(counter)).replace(tzinfo=tz)

    monkeypatch.setattr(store, "dt", SimpleNamespace(datetime=Clock, timezone=datetime.timezone))


def make_settings(tmp_path: Path, **extra):
    values = {"index_dir": tmp_path / "index", "corpus_dir": tmp_path / "corpus",
              "cache_dir": tmp_path / "cache", **extra}
    # neither QA_* variables nor a qa_service.toml of the machine running the tests may leak in
    return load_settings(values, environ={}, toml_path=NO_TOML)


@pytest.fixture
def settings(tmp_path):
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    """One build of the real corpus per session; ``built`` copies it for each test."""
    root = tmp_path_factory.mktemp("template")
    shutil.copytree(CORPUS, root / "corpus")
    return root, build_index(make_settings(root), FakeEmbedder())


@pytest.fixture
def built(settings, template, monkeypatch):
    """A built index in this test's directory (a copy of the template: same bytes, same link)."""
    root, result = template
    shutil.copytree(root / "index", settings.index_dir, symlinks=True)
    ticking_clock(monkeypatch)  # later builds in the test get later, distinct names
    return dataclasses.replace(result, directory=settings.index_dir / result.directory.name)


def current_target(settings) -> str:
    return os.readlink(current_dir(settings.index_dir))


def staging_dirs(settings) -> list[Path]:
    return sorted(settings.index_dir.glob(".tmp-build-*"))


def build_dirs(settings) -> list[str]:
    return sorted(p.name for p in settings.index_dir.glob("build-*"))


# --- build / load -------------------------------------------------------------------------


def test_build_then_load_round_trip(settings, passages, documents):
    built = build_index(settings, FakeEmbedder())
    assert built.passage_count == len(passages)
    assert built.directory.parent == settings.index_dir
    assert current_target(settings) == built.directory.name  # relative link, swapped atomically

    loaded = load_index(settings)
    assert [p.passage_id for p in loaded.passages] == [p.passage_id for p in passages]
    # every field survives the JSON round trip (the copied corpus lies outside the project root,
    # so source_file is that copy's path)
    same_file = [dataclasses.replace(p, source_file=Path(p.source_file).name) for p in loaded.passages]
    assert same_file == [dataclasses.replace(p, source_file=Path(p.source_file).name) for p in passages]
    assert all(Path(p.source_file).parent == settings.corpus_dir for p in loaded.passages)
    assert loaded.dense.count == len(passages)
    assert loaded.dense.dim == FakeEmbedder.dim
    assert loaded.bm25.count == len(passages)
    assert len(loaded.doc_freq) == len(passages)
    manifest = loaded.manifest
    assert manifest["passage_count"] == len(passages)
    assert manifest["model_dim"] == 64
    assert manifest["documents"] == sorted(d.doc_id for d in documents)
    assert {DENSE, PASSAGES} <= set(manifest["files"])
    assert any(name.startswith(BM25_DIR + "/") for name in manifest["files"])


def test_faiss_rows_and_bm25_rows_line_up_with_passages(settings, built, passages, documents):
    """Row i of the FAISS and BM25 indexes is passage i of passages.jsonl."""
    loaded = load_index(settings)
    by_id = {d.doc_id: d for d in documents}
    embedder = FakeEmbedder()
    for i in (0, 57, 130, len(passages) - 1):
        p = loaded.passages[i]
        query = embedder.encode_queries([passage_context(p, by_id[p.doc_id])])
        scores, ids = loaded.dense.search(query, 1)
        assert ids[0, 0] == i
        assert scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    scores = loaded.bm25.scores(tokenize("高标准农田"))
    assert scores.shape == (len(passages),)
    assert "高标准农田" in loaded.passages[int(np.argmax(scores))].text
    # every passage with a positive score holds one of the query's tokens
    expected = {i for i, p in enumerate(loaded.passages)
                if any(t in passage_context(p, by_id[p.doc_id]).lower() for t in tokenize("高标准农田"))}
    assert set(np.flatnonzero(scores > 0)) <= expected


def test_doc_freq_counts_passages_containing_the_term(settings, built, passages):
    loaded = load_index(settings)
    expected = sum("高标准农田" in f"{p.section} {p.text}" for p in passages)
    assert expected > 0
    assert loaded.doc_freq.get("高标准农田") == expected
    assert loaded.doc_freq.get("GDP") == loaded.doc_freq.get("gdp")  # case-insensitive
    assert loaded.doc_freq.get("从未出现的词语") == 0


def test_index_is_current_after_build(settings, built):
    assert index_is_current(settings)
    assert ensure_index(settings, embedder=CrashingEmbedder(AssertionError("must not build"))) is False


def test_nothing_built_is_missing_not_corrupt(settings):
    assert not index_is_current(settings)
    with pytest.raises(IndexMissingError, match="qa-service index"):
        load_index(settings)


# --- staleness ----------------------------------------------------------------------------


def test_changed_corpus_file_makes_index_stale(settings, built):
    path = sorted(settings.corpus_dir.glob("*.txt"))[2]
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n补充：新增一段内容。\n")
    assert not index_is_current(settings)
    with pytest.raises(IndexStaleError) as info:
        load_index(settings)
    assert "qa-service index" in str(info.value)
    assert "corpus files changed" in str(info.value)


def test_new_corpus_file_makes_index_stale(settings, built):
    (settings.corpus_dir / "005_new.txt").write_text("四平市新闻\n今天全市召开会议。\n", encoding="utf-8")
    with pytest.raises(IndexStaleError, match="corpus files changed"):
        load_index(settings)


@pytest.mark.parametrize("field, value", [
    ("model", "other/embedding-model"),
    ("max_passage_chars", 200),
    ("faiss_index", "hnsw"),
    ("query_prompt", "问题："),
])
def test_other_settings_make_index_stale(settings, built, field, value):
    other = settings.replace(**{field: value})
    assert not index_is_current(other)
    with pytest.raises(IndexStaleError) as info:
        load_index(other)
    message = str(info.value)
    assert f"{field}: index has {getattr(settings, field)!r}, expected {value!r}" in message
    assert "qa-service index" in message
    assert index_is_current(settings)  # the original settings still accept it


def test_changed_indexing_code_makes_index_stale(settings, built, monkeypatch):
    monkeypatch.setattr(store, "pipeline_hash", lambda: "0123456789abcdef")
    with pytest.raises(IndexStaleError, match="the indexing code changed"):
        load_index(settings)


# --- corruption ---------------------------------------------------------------------------


def _truncate_dense(d: Path):
    path = d / DENSE
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garble_passages(d: Path):
    lines = (d / PASSAGES).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = '{"passage_id": "broken\n'
    (d / PASSAGES).write_text("".join(lines), encoding="utf-8")


def _delete_bm25_file(d: Path):
    victim = sorted((d / BM25_DIR).iterdir())[0]
    victim.unlink()


def _manifest_invalid_json(d: Path):
    path = d / MANIFEST
    path.write_text(path.read_text(encoding="utf-8")[:40], encoding="utf-8")


def _manifest_empty(d: Path):
    (d / MANIFEST).write_bytes(b"")


@pytest.mark.parametrize("damage", [_truncate_dense, _garble_passages, _delete_bm25_file,
                                    _manifest_invalid_json, _manifest_empty])
def test_damaged_index_is_corrupt_and_a_rebuild_recovers(settings, built, damage):
    damage(current_dir(settings.index_dir))
    assert not index_is_current(settings)
    with pytest.raises(IndexCorruptError) as info:
        load_index(settings)
    assert "qa-service index --force" in str(info.value)
    assert "\n" not in str(info.value)
    # no crash loop: `qa-service index` / ensure_index rebuild it and it loads again
    assert ensure_index(settings, embedder=FakeEmbedder()) is True
    assert current_target(settings) != built.directory.name
    assert load_index(settings).dense.count == built.passage_count


@pytest.mark.parametrize("content", ["[]", "null"])
def test_manifest_that_is_not_an_object_is_corrupt(settings, built, content):
    (current_dir(settings.index_dir) / MANIFEST).write_text(content, encoding="utf-8")
    assert not index_is_current(settings)
    with pytest.raises(IndexCorruptError):
        load_index(settings)


def test_passage_count_mismatch_is_corrupt(settings, built):
    """A consistent-looking manifest whose count disagrees with passages.jsonl."""
    directory = current_dir(settings.index_dir)
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    manifest["passage_count"] += 1
    (directory / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="manifest says"):
        load_index(settings)


def test_dangling_current_link_is_missing(settings, built):
    shutil.rmtree(built.directory)
    assert not index_is_current(settings)
    with pytest.raises(IndexMissingError):
        load_index(settings)


# --- atomic rebuilds and cleanup ----------------------------------------------------------


@pytest.mark.parametrize("exc", [RuntimeError("embedding failed"), KeyboardInterrupt()])
def test_crash_mid_build_keeps_previous_index(settings, built, exc):
    before = load_index(settings).manifest
    with pytest.raises(type(exc)):
        build_index(settings, CrashingEmbedder(exc))
    assert current_target(settings) == built.directory.name
    assert staging_dirs(settings) == []
    assert build_dirs(settings) == [built.directory.name]
    assert index_is_current(settings)
    assert load_index(settings).manifest == before


def test_crash_after_files_were_written_leaves_no_staging(settings, built, monkeypatch):
    """Dies writing BM25, after dense.faiss is already in the staging directory."""
    def boom(self, directory):
        raise OSError("disk full")

    monkeypatch.setattr(BM25Index, "save", boom)
    with pytest.raises(OSError, match="disk full"):
        build_index(settings, FakeEmbedder())
    assert staging_dirs(settings) == []
    assert current_target(settings) == built.directory.name
    assert load_index(settings).passages


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_cleanup_removes_staging_of_dead_builders_only(settings, built):
    live = settings.index_dir / f".tmp-build-20200101T000000-{os.getpid()}"
    dead_pid = _dead_pid()
    with pytest.raises(ProcessLookupError):
        os.kill(dead_pid, 0)  # precondition: nobody reused the pid yet
    dead = settings.index_dir / f".tmp-build-20200101T000000-{dead_pid}"
    for d in (live, dead):
        d.mkdir()
        (d / DENSE).write_bytes(b"partial")
    build_index(settings, FakeEmbedder())
    assert live.is_dir() and (live / DENSE).read_bytes() == b"partial"
    assert not dead.exists()


def test_old_builds_are_pruned_keeping_current_and_previous(settings, built):
    second = build_index(settings, FakeEmbedder())
    third = build_index(settings, FakeEmbedder())
    assert build_dirs(settings) == sorted([second.directory.name, third.directory.name])
    assert current_target(settings) == third.directory.name
    assert load_index(settings).passages


def test_two_builds_in_the_same_second_both_succeed(settings, monkeypatch):
    ticking_clock(monkeypatch, step=datetime.timedelta(milliseconds=1))  # both within one second
    first = build_index(settings, FakeEmbedder())
    second = build_index(settings, FakeEmbedder())
    assert first.directory != second.directory
    assert current_target(settings) == second.directory.name


def test_build_lock_blocks_a_second_holder(tmp_path):
    index_dir = tmp_path / "index"
    first_in, release, second_in = threading.Event(), threading.Event(), threading.Event()

    def first():
        with build_lock(index_dir):
            first_in.set()
            release.wait(5)

    def second():
        first_in.wait(5)
        with build_lock(index_dir):
            second_in.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    assert first_in.wait(5)
    assert not second_in.wait(0.3)  # still waiting for the first holder
    release.set()
    assert second_in.wait(5)
    for t in threads:
        t.join(5)


class RecordingEmbedder(FakeEmbedder):
    """Records when each build is inside encode_passages, and dawdles there."""

    def __init__(self, log: list, lock: threading.Lock):
        super().__init__()
        self.log, self.lock = log, lock

    def encode_passages(self, texts, show_progress=False):
        start = time.monotonic()
        time.sleep(0.15)
        out = super().encode_passages(texts, show_progress)
        with self.lock:
            self.log.append((start, time.monotonic()))
        return out


def test_concurrent_builds_are_serialised(settings, monkeypatch):
    ticking_clock(monkeypatch)
    log, log_lock, results, errors = [], threading.Lock(), [], []

    def run():
        try:
            results.append(build_index(settings, RecordingEmbedder(log, log_lock)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(results) == 2
    (a_start, a_end), (b_start, b_end) = sorted(log)
    assert a_end <= b_start  # the second build only embedded after the first finished
    assert staging_dirs(settings) == []
    assert index_is_current(settings)
    assert current_target(settings) in {r.directory.name for r in results}
    assert load_index(settings).dense.count == results[0].passage_count


# --- FaissStore ---------------------------------------------------------------------------

KINDS = ("flat", "hnsw", "ivf")


@pytest.fixture(scope="module")
def vectors():
    rng = np.random.default_rng(0)
    v = rng.standard_normal((2000, 32)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def stores(vectors):
    return {kind: FaissStore.build(vectors, kind=kind) for kind in KINDS}


def test_flat_search_is_exact(stores, vectors):
    scores, ids = stores["flat"].search(vectors[:20], 5)
    assert ids.shape == (20, 5)
    assert list(ids[:, 0]) == list(range(20))  # each vector is its own nearest neighbour
    assert np.allclose(scores[:, 0], 1.0, atol=1e-5)
    expected = np.argsort(-(vectors[:20] @ vectors.T), axis=1, kind="stable")[:, :5]
    assert (ids == expected).all()
    assert np.allclose(scores, np.take_along_axis(vectors[:20] @ vectors.T, expected, axis=1), atol=1e-5)


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_search_finds_the_query_itself(stores, vectors, kind):
    assert stores[kind].count == len(vectors)
    scores, ids = stores[kind].search(vectors[:100], 1)
    assert (ids[:, 0] == np.arange(100)).mean() >= 0.95


@pytest.mark.parametrize("kind", KINDS)
def test_allowed_filter_never_returns_other_ids(stores, vectors, kind):
    allowed = np.random.default_rng(1).choice(len(vectors), 20, replace=False)
    scores, ids = stores[kind].search(vectors[:30], 10, allowed=allowed)
    assert ids.shape[1] <= 10
    assert np.isin(ids[ids >= 0], allowed).all()


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_filtered_search_finds_the_best_allowed(stores, vectors, kind):
    allowed = np.random.default_rng(2).choice(len(vectors), 20, replace=False)
    queries = vectors[:50]
    scores, ids = stores[kind].search(queries, 5, allowed=allowed)
    assert ids.shape == (50, 5)
    assert (ids >= 0).all()  # five of the twenty allowed ids for every query
    best = allowed[np.argsort(-(queries @ vectors[allowed].T), axis=1)[:, :5]]
    recall = np.mean([len(set(ids[i]) & set(best[i])) / 5 for i in range(len(queries))])
    assert recall >= (1.0 if kind == "flat" else 0.9)


@pytest.mark.parametrize("kind", KINDS)
def test_empty_allowed_gives_empty_result(stores, vectors, kind):
    scores, ids = stores[kind].search(vectors[:3], 5, allowed=np.array([], dtype=np.int64))
    assert scores.shape == (3, 0) and ids.shape == (3, 0)


@pytest.mark.parametrize("kind", KINDS)
def test_k_larger_than_count_returns_count(kind):
    rng = np.random.default_rng(3)
    small = rng.standard_normal((7, 16)).astype(np.float32)
    small /= np.linalg.norm(small, axis=1, keepdims=True)
    s = FaissStore.build(small, kind=kind)
    scores, ids = s.search(small[4], 50)
    assert ids.shape == (1, 7)
    assert sorted(ids[0]) == list(range(7))
    assert ids[0, 0] == 4
    scores, ids = s.search(small[4], 50, allowed=np.array([2, 5]))
    assert ids.shape == (1, 2)
    assert sorted(ids[0]) == [2, 5]


@pytest.mark.parametrize("kind", KINDS)
def test_save_load_round_trip(stores, vectors, kind, tmp_path):
    path = tmp_path / f"{kind}.faiss"
    stores[kind].save(path)
    loaded = FaissStore.load(path, kind=kind, count=len(vectors), dim=32)
    assert loaded.count == len(vectors) and loaded.dim == 32 and loaded.kind == kind
    before = stores[kind].search(vectors[:10], 3)
    after = loaded.search(vectors[:10], 3)
    assert (before[1] == after[1]).all()
    assert np.allclose(before[0], after[0])


def test_load_with_wrong_count_or_dim_is_corrupt(stores, vectors, tmp_path):
    path = tmp_path / "flat.faiss"
    stores["flat"].save(path)
    with pytest.raises(IndexCorruptError, match="manifest says 1999"):
        FaissStore.load(path, kind="flat", count=len(vectors) - 1, dim=32)
    with pytest.raises(IndexCorruptError):
        FaissStore.load(path, kind="flat", count=len(vectors), dim=64)


def test_load_of_damaged_file_is_corrupt(stores, tmp_path):
    path = tmp_path / "flat.faiss"
    stores["flat"].save(path)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IndexCorruptError, match="unreadable"):
        FaissStore.load(path, kind="flat", count=2000, dim=32)
    with pytest.raises(IndexCorruptError):
        FaissStore.load(tmp_path / "absent.faiss", kind="flat", count=2000, dim=32)


def test_unknown_kind_is_a_config_error(vectors):
    with pytest.raises(ConfigError, match="bogus"):
        FaissStore.build(vectors[:10], kind="bogus")


# --- BM25Index ----------------------------------------------------------------------------

TOY = [["a", "b"], ["b", "c"], ["c", "d", "d"]]


def _lucene(tf: int, df: int, dl: int, n: int, avgdl: float, k1=1.2, b=0.75) -> float:
    """bm25s's "lucene" variant: idf · tf / (tf + k1·(1 − b + b·dl/avgdl)).

    (It leaves out Lucene's constant (k1 + 1) factor, which does not change the ranking.)
    """
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    return float(idf * tf / (tf + k1 * (1 - b + b * dl / avgdl)))


def test_bm25_scores_by_hand():
    index = BM25Index.build(TOY)
    avgdl = 7 / 3
    scores = index.scores(["d"])
    assert scores.shape == (3,)
    assert scores[0] == 0 and scores[1] == 0
    assert scores[2] == pytest.approx(_lucene(tf=2, df=1, dl=3, n=3, avgdl=avgdl), rel=1e-5)
    scores = index.scores(["b"])
    assert scores[0] == pytest.approx(scores[1])  # same tf, same length
    assert scores[0] == pytest.approx(_lucene(tf=1, df=2, dl=2, n=3, avgdl=avgdl), rel=1e-5)
    assert scores[2] == 0
    both = index.scores(["b", "d"])
    assert both == pytest.approx(index.scores(["b"]) + index.scores(["d"]), rel=1e-5)


def test_bm25_unknown_or_no_tokens_score_zero():
    index = BM25Index.build(TOY)
    for query in (["zzz"], [], ["zzz", "yyy"]):
        scores = index.scores(query)
        assert scores.shape == (3,)
        assert not scores.any()
    assert index.scores(["zzz", "d"])[2] == pytest.approx(index.scores(["d"])[2])


def test_bm25_save_load_round_trip(tmp_path):
    index = BM25Index.build(TOY)
    index.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25", count=3)  # corpus without 四平 (the load probe)
    for query in (["a"], ["b", "d"], ["c"]):
        assert np.allclose(loaded.scores(query), index.scores(query))
    with pytest.raises(IndexCorruptError, match="manifest says 4"):
        BM25Index.load(tmp_path / "bm25", count=4)


def test_bm25_load_of_damaged_directory_is_corrupt(tmp_path):
    BM25Index.build(TOY).save(tmp_path / "bm25")
    sorted((tmp_path / "bm25").iterdir())[0].unlink()
    with pytest.raises(IndexCorruptError, match="unreadable"):
        BM25Index.load(tmp_path / "bm25", count=3)
