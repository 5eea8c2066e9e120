"""HNSW recall@10 against exact search on real embeddings, for several efSearch values.

Run:  HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_hnsw_recall.py embed --n 20000 --max-minutes 25
      HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_hnsw_recall.py measure

``embed`` builds synthetic passages the way ``bench_growth.py`` does (real corpus sentences
shuffled and recombined to the real passage-length distribution) and embeds them with the
service's own passage encoder, in chunks appended to ``vectors.npy`` under ``--work`` so the
run is bounded in time and resumable; the gold questions are embedded with the query prompt.
``measure`` builds HNSW graphs over the embedded passages and reports recall@10 of the gold
questions against the exact (flat) top-10, and query latency, per efSearch: FAISS
``IndexHNSWFlat`` (inner product, efConstruction 128) with M 16 and 32, and — when the
``qdrant-edge-py`` package is installed (``pip install qdrant-edge-py==0.9.0``, benchmark only) —
Qdrant's own Rust engine in-process (one ``EdgeShard``, cosine, m 16, ef_construct 128, optimised
into HNSW segments), queried with ``hnsw_ef`` = efSearch: the parameter a Qdrant server takes.
Results: Markdown on stdout and in benchmarks/results/hnsw_recall.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

EF_VALUES = (16, 32, 64, 128, 256, 512)
M_VALUES = (16, 32)
SEED = 20261123
CHUNK = 256


def _embedder(threads: int):
    from qa_service.config import load_settings
    from qa_service.service.core import make_embedder

    return make_embedder(load_settings({"encoder_threads": threads}))


def embed(work: Path, n: int, max_minutes: float, threads: int) -> None:
    from bench_growth import real_corpus, synthetic_passages, synthetic_records, gold_records

    work.mkdir(parents=True, exist_ok=True)
    documents, real, sentences = real_corpus()
    rng = np.random.default_rng(SEED)
    layout = synthetic_passages(n, [len(s) for s in sentences], [len(p.text) for p in real], rng)
    texts = [p.text for p in synthetic_records(layout, sentences, real, rng)]
    encoder = _embedder(threads)
    questions = work / "questions.npy"
    if not questions.exists():
        np.save(questions, encoder.encode_queries([g["question"] for g in gold_records()]))
    path = work / "vectors.npy"
    done = np.load(path) if path.exists() else np.empty((0, 384), dtype=np.float32)
    started = time.perf_counter()
    while len(done) < n and time.perf_counter() - started < max_minutes * 60:
        chunk = encoder.encode_passages(texts[len(done):len(done) + CHUNK])
        done = np.concatenate([done, np.asarray(chunk, dtype=np.float32)])
        np.save(work / "vectors.tmp.npy", done)
        os.replace(work / "vectors.tmp.npy", path)
        rate = (time.perf_counter() - started) / max(1, len(done))
        print(f"{len(done)}/{n} embedded ({rate * 1000:.0f} ms/passage)", flush=True)
    meta = {"n": len(done), "chars_mean": float(np.mean([len(t) for t in texts[:len(done)]])),
            "threads": threads, "seconds_last_run": round(time.perf_counter() - started, 1)}
    (work / "meta.json").write_text(json.dumps(meta))


def _recall(found: list[int], i: int, queries, vectors, truth, truth_scores) -> tuple[int, int]:
    """(ids shared with the exact top-10, results scoring at least the exact 10th score): the
    synthetic corpus repeats some passages verbatim (identical vectors), and a tie at rank 10
    makes "which of the equal ones" arbitrary; the second count does not punish that."""
    exact = vectors[found] @ queries[i]
    return len(set(found) & set(truth[i].tolist())), int((exact >= truth_scores[i, 9] - 1e-5).sum())


def measure(work: Path) -> str:
    import faiss

    faiss.omp_set_num_threads(1)
    vectors = np.ascontiguousarray(np.load(work / "vectors.npy"), dtype=np.float32)
    queries = np.ascontiguousarray(np.load(work / "questions.npy"), dtype=np.float32)
    meta = json.loads((work / "meta.json").read_text())
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    truth_scores, truth = flat.search(queries, 10)
    distinct = len(np.unique(vectors.round(5), axis=0))
    rows = []
    rows += _edge_rows(vectors, queries, truth, truth_scores)
    for m in M_VALUES:
        index = faiss.IndexHNSWFlat(vectors.shape[1], m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 128
        t = time.perf_counter()
        index.add(vectors)
        build = time.perf_counter() - t
        for ef in EF_VALUES:
            index.hnsw.efSearch = ef
            times, hits = [], np.zeros(2)
            for i, q in enumerate(queries):
                t = time.perf_counter()
                _, ids = index.search(q[None, :], 10)
                times.append((time.perf_counter() - t) * 1000)
                hits += _recall([int(x) for x in ids[0] if x >= 0], i, queries, vectors, truth, truth_scores)
            rows.append(("FAISS", m, build, ef, *(hits / truth.size), float(np.percentile(times, 50))))
    lines = [
        "# HNSW recall@10 on real embeddings",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · {os.cpu_count()} cores · "
        f"`benchmarks/bench_hnsw_recall.py measure`",
        "",
        f"{len(vectors):,} synthetic passages (real corpus sentences recombined, mean {meta['chars_mean']:.0f} "
        f"characters) embedded with the service's passage encoder (multilingual-e5-small, dim "
        f"{vectors.shape[1]}); queries: the {len(queries)} gold questions embedded with the query prompt; "
        "truth: exact inner-product top-10 (FAISS flat). FAISS `IndexHNSWFlat`, efConstruction 128, "
        "one thread. Qdrant Edge: one `EdgeShard`, cosine, m 16, ef_construct 128, one indexing thread, "
        f"optimised into HNSW segments. {len(vectors) - distinct:,} of the passages repeat another verbatim "
        "(recombination of few sentences): *recall@10 ids* counts the exact top-10 ids found, "
        "*tie-aware* counts results scoring at least the exact 10th score (a duplicate of a top-10 "
        "passage is as good an answer).",
        "",
        "| engine | M | build s | efSearch (hnsw_ef) | recall@10 ids | recall@10 tie-aware | query p50 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {e} | {m} | {b:.1f} | {ef} | {r:.3f} | {rt:.3f} | {p:.2f} |" for e, m, b, ef, r, rt, p in rows]
    report = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results" / "hnsw_recall.md").write_text(report, encoding="utf-8")
    return report


def _edge_rows(vectors: np.ndarray, queries: np.ndarray, truth: np.ndarray, truth_scores: np.ndarray) -> list[tuple]:
    """Qdrant's HNSW (qdrant-edge-py), or nothing when the package is not installed."""
    try:
        import qdrant_edge as qe
    except ImportError:
        return []
    import shutil
    import tempfile

    directory = tempfile.mkdtemp(prefix="bench-edge-")
    config = qe.EdgeConfig(
        vectors={"dense": qe.EdgeVectorParams(size=vectors.shape[1], distance=qe.Distance.Cosine)},
        hnsw_config=qe.HnswIndexConfig(m=16, ef_construct=128, full_scan_threshold=10, max_indexing_threads=1),
        optimizers=qe.EdgeOptimizersConfig(indexing_threshold=1, default_segment_number=1))
    shard = qe.EdgeShard.create(directory + "/shard", config)
    t = time.perf_counter()
    for start in range(0, len(vectors), 1000):
        shard.update(qe.UpdateOperation.upsert_points(
            [qe.Point(id=i, vector={"dense": vectors[i].tolist()}) for i in range(start, min(start + 1000, len(vectors)))]))
    shard.optimize()
    build = time.perf_counter() - t
    rows = []
    for ef in EF_VALUES:
        times, hits = [], np.zeros(2)
        for i, q in enumerate(queries):
            request = qe.QueryRequest(limit=10, query=qe.Query.Nearest(q.tolist(), using="dense"),
                                      params=qe.SearchParams(hnsw_ef=ef))
            t = time.perf_counter()
            found = shard.query(request)
            times.append((time.perf_counter() - t) * 1000)
            hits += _recall([int(p.id) for p in found], i, queries, vectors, truth, truth_scores)
        rows.append(("Qdrant Edge 0.9.0", 16, build, ef, *(hits / truth.size), float(np.percentile(times, 50))))
    shard.close()
    shutil.rmtree(directory, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("embed", "measure"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/wt13-bench-hnsw"))
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--max-minutes", type=float, default=25)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    if args.step == "embed":
        embed(args.work, args.n, args.max_minutes, args.threads)
    else:
        print(measure(args.work))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
