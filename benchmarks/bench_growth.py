"""How index cost and query latency grow with the corpus: 1k, 10k and 100k passages.

Run:  HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_growth.py [--sizes 1000,10000,100000]

Measures, per size, for flat FAISS (exact inner product), HNSW (M=32, efSearch 64, inner
product) and BM25 (bm25s over jieba tokens), through the library's own ``FaissStore`` and
``BM25Index``: build time, size on disk, single-query latency p50/p95, process memory (peak
and retained RSS increase during the build), and HNSW recall@10 against the exact flat result.
Then the real model's query-encode time, and an end-to-end latency estimate per size
(encode + dense search + BM25).

What is synthetic, and why:
- Passages are made from the real corpus: sentences of the reconstructed passages
  (``build_corpus_passages`` + ``split_sentences``) shuffled and recombined up to a length
  drawn from the real passage lengths. The vocabulary is therefore the corpus's own.
- Dense vectors are random unit vectors of the model's dimension: embedding 100k passages
  with the model would take about an hour on 2 cores. The index cost depends only on count
  and dimension, not on content. Recall on isotropic random vectors is a hard case for a graph
  index (no cluster structure), so the HNSW recall shown is pessimistic.
- jieba tokenisation is measured for real up to 10k passages and extrapolated linearly above
  (BM25 then indexes token lists composed from per-sentence tokens, which equals tokenising
  the passage because sentence-final punctuation is a segmentation boundary).

Each index is built in a forked child process, so memory figures are not blurred by what an
earlier build freed. Results: a Markdown table on stdout and in benchmarks/results/growth.md.
"""
from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
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

from qa_service.config import load_settings  # noqa: E402
from qa_service.corpus import load_corpus  # noqa: E402
from qa_service.reflow import build_corpus_passages, split_sentences  # noqa: E402

DIM = 384  # multilingual-e5-small
TOP_K = 10
SEED = 20241023
EF_SWEEP = (128, 256)  # extra HNSW efSearch values: the recall/latency trade-off


# --- measurement helpers ------------------------------------------------------------------

def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    try:  # "5" resets VmHWM (Linux ≥ 4.0); without it the peak includes the parent's history
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        pass


def _dir_size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _percentiles(ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def _in_child(fn, *args) -> dict:
    """Run ``fn(*args)`` in a forked process; it returns a dict of measurements."""
    queue = mp.get_context("fork").Queue()

    def target():
        try:
            queue.put(fn(*args))
        except BaseException as exc:  # report, don't hang the parent
            queue.put({"error": f"{type(exc).__name__}: {exc}"})

    proc = mp.get_context("fork").Process(target=target)
    proc.start()
    result = queue.get()
    proc.join()
    return result


# --- synthetic data -----------------------------------------------------------------------

def corpus_sentences() -> tuple[list[str], list[int]]:
    documents = load_corpus(ROOT / "corpus", root=ROOT)
    passages = build_corpus_passages(documents, max_chars=360)
    sentences = [s for p in passages for s in split_sentences(p.text) if s.strip()]
    return sentences, [len(p.text) for p in passages]


def synthetic_passages(n: int, sentence_lengths: list[int], passage_lengths: list[int],
                       rng: np.random.Generator) -> list[list[int]]:
    """Each passage as random sentence indices, filled up to a length drawn from the real ones."""
    out = []
    for target in rng.choice(passage_lengths, size=n):
        chosen, total = [], 0
        while total < target:
            i = int(rng.integers(len(sentence_lengths)))
            chosen.append(i)
            total += sentence_lengths[i]
        out.append(chosen)
    return out


def unit_vectors(n: int, rng: np.random.Generator) -> np.ndarray:
    v = rng.standard_normal((n, DIM), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v


# --- one measurement per child process ----------------------------------------------------

def measure_dense(kind: str, vectors: np.ndarray, queries: np.ndarray, truth: np.ndarray | None) -> dict:
    import faiss

    from qa_service.dense import FaissStore

    gc.collect()
    base = _status_kb("VmRSS")
    _reset_peak()
    started = time.perf_counter()
    store = FaissStore.build(vectors, kind=kind)
    build_s = time.perf_counter() - started
    peak, retained = _status_kb("VmHWM") - base, _status_kb("VmRSS") - base
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dense.faiss"
        store.save(path)
        disk = _dir_size(path)
        # A copy of the saved index to sweep efSearch without touching the store's internals.
        sweep = faiss.read_index(str(path)) if kind == "hnsw" else None
    # One OpenMP thread per query: a server answers concurrent requests on its own threads, and
    # on a busy 2-core machine FAISS's spinning OpenMP workers made single queries ~7x slower.
    faiss.omp_set_num_threads(1)
    result = {"build_s": build_s, "disk_mb": disk / 1e6, "peak_mb": peak / 1024,
              "retained_mb": retained / 1024, **_query_dense(store.search, queries, truth)}
    if sweep is not None:
        for ef in EF_SWEEP:
            faiss.downcast_index(sweep).hnsw.efSearch = ef
            result[f"ef{ef}"] = _query_dense(lambda q, k: sweep.search(q, k), queries, truth)
    return result


def _query_dense(search, queries: np.ndarray, truth: np.ndarray | None) -> dict:
    search(queries[:1], TOP_K)  # warm-up
    latencies, found = [], []
    for q in queries:
        t = time.perf_counter()
        _, ids = search(q[None, :], TOP_K)
        latencies.append((time.perf_counter() - t) * 1000)
        found.append(ids[0])
    recall = None
    if truth is not None:
        recall = float(np.mean([len(set(f) & set(t)) / TOP_K for f, t in zip(found, truth)]))
    p50, p95 = _percentiles(latencies)
    return {"p50": p50, "p95": p95, "recall": recall}


def measure_bm25(token_lists: list[list[str]], queries: list[str]) -> dict:
    from qa_service.lexical import BM25Index, tokenize

    gc.collect()
    base = _status_kb("VmRSS")
    _reset_peak()
    started = time.perf_counter()
    index = BM25Index.build(token_lists)
    build_s = time.perf_counter() - started
    peak, retained = _status_kb("VmHWM") - base, _status_kb("VmRSS") - base
    tmp = Path(tempfile.mkdtemp())
    try:
        index.save(tmp / "bm25")
        disk = _dir_size(tmp / "bm25")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    index.scores(tokenize(queries[0]))  # warm-up
    latencies = []
    for q in queries:
        t = time.perf_counter()
        scores = index.scores(tokenize(q))
        np.argpartition(-scores, min(TOP_K, len(scores) - 1))[:TOP_K]
        latencies.append((time.perf_counter() - t) * 1000)
    p50, p95 = _percentiles(latencies)
    return {"build_s": build_s, "disk_mb": disk / 1e6, "p50": p50, "p95": p95,
            "peak_mb": peak / 1024, "retained_mb": retained / 1024, "recall": None}


def measure_encoder(queries: list[str], passages: list[str]) -> dict:
    """The real model: load time, query-encode latency, passage throughput, RSS."""
    try:
        from qa_service.embedding import Embedder
    except ImportError as exc:
        return {"error": f"qa_service.embedding unavailable ({exc})"}
    settings = load_settings()
    base = _status_kb("VmRSS")
    started = time.perf_counter()
    embedder = Embedder(settings.model, cache_dir=settings.cache_dir, query_prompt=settings.query_prompt,
                        passage_prompt=settings.passage_prompt)
    load_s = time.perf_counter() - started
    embedder.encode_queries([queries[0]])  # warm-up
    latencies = []
    for q in queries:
        t = time.perf_counter()
        embedder.encode_queries([q])
        latencies.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    embedder.encode_passages(passages)
    per_passage_s = (time.perf_counter() - t) / len(passages)
    p50, p95 = _percentiles(latencies)
    return {"model": settings.model, "dim": embedder.dim, "load_s": load_s, "p50": p50, "p95": p95,
            "per_passage_s": per_passage_s, "rss_mb": (_status_kb("VmRSS") - base) / 1024}


# --- the run ------------------------------------------------------------------------------

def gold_questions(n: int, sentences: list[str], rng: np.random.Generator) -> list[str]:
    import json

    questions = [json.loads(line)["question"] for line in
                 (ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    while len(questions) < n:  # top up with sentence openings (a realistic query length)
        questions.append(sentences[int(rng.integers(len(sentences)))][:20])
    return questions[:n]


def run(sizes: list[int], n_queries: int, encoder: bool) -> str:
    from qa_service.lexical import tokenize

    load_before = os.getloadavg()
    rng = np.random.default_rng(SEED)
    sentences, lengths = corpus_sentences()
    queries = gold_questions(n_queries, sentences, rng)
    biggest = max(sizes)
    layout = synthetic_passages(biggest, [len(x) for x in sentences], lengths, rng)
    sentence_tokens = [tokenize(s) for s in sentences]
    texts = lambda lo, hi: ["".join(sentences[i] for i in p) for p in layout[lo:hi]]  # noqa: E731
    all_vectors = unit_vectors(biggest, rng)
    query_vectors = unit_vectors(n_queries, rng)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731

    # jieba for real up to 10k passages (cumulative over the nested sizes), linear beyond.
    tokenise_s: dict[int, float] = {}
    measured_upto, spent = 0, 0.0
    for n in sorted(sizes):
        if n <= 10_000:
            chunk = texts(measured_upto, n)
            t = time.perf_counter()
            for text in chunk:
                tokenize(text)
            spent += time.perf_counter() - t
            measured_upto = n
            tokenise_s[n] = spent
        else:
            rate = spent / measured_upto if measured_upto else None
            tokenise_s[n] = rate * n if rate else float("nan")

    rows, e2e = [], {}
    for n in sorted(sizes):
        vectors = all_vectors[:n]
        truth = np.argpartition(-(query_vectors @ vectors.T), TOP_K, axis=1)[:, :TOP_K]  # exact top-10 (a set)
        results = {}
        for kind in ("flat", "hnsw"):
            log(f"{n:>7} passages: FAISS {kind} …")
            results[kind] = _in_child(measure_dense, kind, vectors, query_vectors,
                                      truth if kind == "hnsw" else None)
        log(f"{n:>7} passages: BM25 …")
        token_lists = [[tok for i in p for tok in sentence_tokens[i]] for p in layout[:n]]
        results["bm25"] = _in_child(measure_bm25, token_lists, queries)
        del token_lists
        for name, r in results.items():
            if "error" in r:
                raise RuntimeError(f"{name} at {n}: {r['error']}")
        rows.append((n, results))
        e2e[n] = results

    enc = _in_child(measure_encoder, queries, texts(0, 32)) if encoder else {"error": "skipped (--no-encoder)"}
    return render(sizes, n_queries, rows, tokenise_s, enc, e2e, load_before)


def render(sizes, n_queries, rows, tokenise_s, enc, e2e, load_before) -> str:
    load = f"{load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    out = [
        "# Growth benchmark", "",
        f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · {os.cpu_count()} cores "
        f"(1-minute load average {load}) · {n_queries} single queries per measurement · "
        "`benchmarks/bench_growth.py`", "",
        "**Synthetic data.** Passages are real corpus sentences shuffled and recombined "
        "(`build_corpus_passages` + `split_sentences`) to the real passage-length distribution. "
        f"Dense indexes hold **random unit vectors** of dimension {DIM}, not model embeddings: "
        "index cost depends on count and dimension only; HNSW recall on isotropic random vectors "
        "is a pessimistic case. Queries: the gold questions (BM25) and random unit vectors (FAISS). "
        "Built with the library's `FaissStore` (flat = `IndexFlatIP`; hnsw = `IndexHNSWFlat` M=32, "
        "efConstruction 80, efSearch 64, inner product; efSearch 128/256 rows query the same "
        "index) and `BM25Index` (bm25s, jieba tokens). FAISS builds use all cores, queries one "
        "OpenMP thread. Memory: RSS increase during the build, measured in a forked child per "
        "index.", "",
        "| passages | index | build s | disk MB | query p50 ms | query p95 ms | peak RSS +MB | "
        "retained RSS +MB | recall@10 vs flat |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, results in rows:
        for name, label in (("flat", "FAISS flat"), ("hnsw", "FAISS HNSW"), ("bm25", "BM25")):
            r = results[name]
            build = f"{r['build_s']:.2f}"
            if name == "bm25":
                est = "" if n <= 10_000 else " est."
                build += f" (+{tokenise_s[n]:.1f}{est} jieba)"
            recall = "—" if r["recall"] is None else f"{r['recall']:.3f}"
            out.append(f"| {n:,} | {label} | {build} | {r['disk_mb']:.1f} | {r['p50']:.2f} | "
                       f"{r['p95']:.2f} | {r['peak_mb']:.0f} | {r['retained_mb']:.0f} | {recall} |")
            for ef in EF_SWEEP if name == "hnsw" else ():
                s = r[f"ef{ef}"]
                out.append(f"| {n:,} | FAISS HNSW efSearch {ef} | (same index) | | {s['p50']:.2f} | "
                           f"{s['p95']:.2f} | | | {s['recall']:.3f} |")
    out += ["", "Build time for BM25 is indexing, plus jieba tokenisation in brackets (measured up "
            "to 10k passages, extrapolated linearly above). Dense build time excludes embedding "
            "(see below).", ""]
    if "error" in enc:
        out += [f"Query encoder: not measured — {enc['error']}.", ""]
        return "\n".join(out) + "\n"
    out += [
        "## Query encoder and end-to-end estimate", "",
        f"Model `{enc['model']}` (dim {enc['dim']}): load {enc['load_s']:.1f} s, RSS +{enc['rss_mb']:.0f} MB; "
        f"query encode p50 {enc['p50']:.1f} ms, p95 {enc['p95']:.1f} ms; passage embedding "
        f"{enc['per_passage_s'] * 1000:.0f} ms/passage, so embedding at index time would take "
        + ", ".join(f"{n:,}: {_duration(enc['per_passage_s'] * n)}" for n in sorted(sizes)) + ".", "",
        "Estimated end-to-end retrieval latency per question = encode + dense search + BM25 "
        "(sums of the p50s, and of the p95s as a pessimistic bound; fusion, re-ranking and answer "
        "extraction add little and are not included):", "",
        "| passages | with flat p50 ms | with flat p95 ms | with HNSW p50 ms | with HNSW p95 ms |",
        "|---:|---:|---:|---:|---:|",
    ]
    for n in sorted(sizes):
        r = e2e[n]
        cells = []
        for kind in ("flat", "hnsw"):
            for pct in ("p50", "p95"):
                cells.append(f"{enc[pct] + r[kind][pct] + r['bm25'][pct]:.1f}")
        out.append(f"| {n:,} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated passage counts")
    parser.add_argument("--queries", type=int, default=200, help="single queries per measurement")
    parser.add_argument("--no-encoder", action="store_true", help="skip the real model")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "growth.md")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    started = time.perf_counter()
    table = run(sizes, args.queries, not args.no_encoder)
    table += f"\nTotal benchmark time {time.perf_counter() - started:.0f} s.\n"
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
