"""The growth benchmark's store part with a backend column: FAISS + bm25s vs Qdrant local mode.

Run:  HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_backends.py [--sizes 1000,2000,5000] [--qdrant-max 5000]

Per size and backend, through ``stores.build_stores`` / ``load_stores`` (exactly what the index
store calls): build seconds (passages already tokenised and embedded), size on disk, and the
per-question store work of the retriever: a dense top-50 (random unit query vectors), a BM25
top-50 with the dense rows' BM25 scores (``score_rows``, the gold questions' tokens), and a
year-filtered pair of the same. Passages are ``bench_growth.py``'s synthetic ones (real corpus
sentences recombined, real documents' metadata); dense vectors are random unit vectors (index
cost depends on count and dimension only, see growth.md).

Qdrant local mode is qdrant-client's pure-Python engine (exact search, numpy): it is slow beyond
a few thousand passages, so it is only run up to ``--qdrant-max``. A Qdrant server is not
measured here (none can be installed on this machine). Results: Markdown on stdout and in
benchmarks/results/backends.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_growth import (  # noqa: E402
    SEED, gold_records, real_corpus, synthetic_passages, synthetic_records, tokenise_contexts, unit_vectors,
)

from qa_service.search.context import PassageFilter, store_records  # noqa: E402
from qa_service.search.dense import DenseConfig  # noqa: E402
from qa_service.search.stores import build_stores, load_stores  # noqa: E402
from qa_service.search.tokenizer import tokenize  # noqa: E402

CANDIDATES = 50
QUERIES = 100


def _p(ms: list[float]) -> str:
    return f"{np.percentile(ms, 50):.1f} / {np.percentile(ms, 95):.1f}"


def measure(backend: str, records, questions: list[list[str]], vectors: np.ndarray, years: list[int]) -> dict:
    directory = Path(tempfile.mkdtemp(prefix=f"bench-{backend}-"))
    config = DenseConfig(backend=backend, qdrant_collection=f"bench{len(records.passage_ids)}")
    started = time.perf_counter()
    build_stores(records, config, directory)
    build = time.perf_counter() - started
    disk = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 1e6
    dense, sparse = load_stores(directory, config, passage_ids=records.passage_ids, dim=vectors.shape[1])
    plain, filtered = [], []
    for i, tokens in enumerate(questions):
        for bucket, where in ((plain, None), (filtered, PassageFilter(year=years[i % len(years)]))):
            kwargs = {}
            if where is not None:
                if dense.pushes_down_filters:
                    kwargs = {"where": where}
                else:
                    kwargs = {"allowed": np.array([j for j, p in enumerate(records.payloads)
                                                   if where.year in p["years"]], dtype=np.int64)}
            t = time.perf_counter()
            _, ids = dense.search(vectors[i], CANDIDATES, **kwargs)
            sparse.search(tokens, CANDIDATES, score_rows=[int(x) for x in ids[0] if x >= 0], **kwargs)
            bucket.append((time.perf_counter() - t) * 1000)
    shutil.rmtree(directory, ignore_errors=True)
    return {"build": build, "disk": disk, "plain": plain, "filtered": filtered}


def run(sizes: list[int], qdrant_max: int) -> str:
    import faiss

    faiss.omp_set_num_threads(1)  # as the service does (``service.make_embedder``): one thread per request
    rng = np.random.default_rng(SEED)
    documents, real, sentences = real_corpus()
    by_id = {d.doc_id: d for d in documents}
    layout = synthetic_passages(max(sizes), [len(s) for s in sentences], [len(p.text) for p in real], rng)
    passages = synthetic_records(layout, sentences, real, rng)
    token_lists, _ = tokenise_contexts(passages, documents, [max(sizes)])
    vectors = unit_vectors(max(sizes), rng)
    questions = [tokenize(g["question"]) for g in gold_records()][:QUERIES]
    query_vectors = unit_vectors(len(questions), rng)
    rows = []
    for n in sizes:
        records = store_records(passages[:n], by_id, vectors[:n], token_lists[:n])
        for backend in ("faiss", "qdrant"):
            if backend == "qdrant" and n > qdrant_max:
                rows.append((n, backend, None))
                continue
            rows.append((n, backend, measure(backend, records, questions, query_vectors, [2022, 2023, 2024])))
    lines = [
        "# Store backends as the corpus grows",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · {os.cpu_count()} cores "
        f"(load average {os.getloadavg()[0]:.1f} at the end) · `benchmarks/bench_backends.py`",
        "",
        "Store work per question as the retriever does it: dense top-50 + BM25 top-50 with the dense rows' "
        f"BM25 scores; {len(questions)} gold questions (their jieba tokens; random unit query vectors); "
        "filtered = the same with a year filter (FAISS/bm25s: row ids; Qdrant: payload filter). "
        "faiss = FAISS flat + bm25s (the embedded default); qdrant = Qdrant local mode "
        "(qdrant-client's Python engine, exact search, persisted to SQLite), one collection with the "
        "dense vector, the BM25 sparse vector (engine idf) and the payload. Build = store build only "
        "(tokens and vectors given). FAISS searches on one OpenMP thread, as in the service.",
        "",
        "| passages | backend | build s | disk MB | query p50 / p95 ms | filtered p50 / p95 ms |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for n, backend, m in rows:
        if m is None:
            lines.append(f"| {n:,} | {backend} | not run (local mode beyond {qdrant_max:,} passages) | | | |")
        else:
            lines.append(f"| {n:,} | {backend} | {m['build']:.2f} | {m['disk']:.1f} | {_p(m['plain'])} | "
                         f"{_p(m['filtered'])} |")
    report = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results" / "backends.md").write_text(report, encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,5000,20000")
    parser.add_argument("--qdrant-max", type=int, default=5000)
    args = parser.parse_args(argv)
    print(run([int(x) for x in args.sizes.split(",")], args.qdrant_max))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
