"""Measure the query/passage encoder: thread counts, passage batch sizes, the micro-batcher.

In-process (no HTTP), so that each setting is isolated. Prints tables; never asserts timing.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_encoder.py [--threads 1,2,4,8]
        [--passage-batches 1,8,16,32] [--max-batches 1,4,8,16] [--torch]

* queries: ``encode_queries([q])`` over 80 distinct gold questions, p50 / p95 per thread count;
* passages: ``encode_passages`` over the real corpus's indexed texts (what ``qa-service index``
  embeds), passages per second per thread count and batch size;
* micro-batcher: 8 threads asking never-seen questions through ``QueryEncoder`` at once,
  questions per second per ``max_batch`` (the server's request threads do the same);
* ``--torch``: the sentence-transformers encoder's figures for comparison (the "before").
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa_service.config import load_settings  # noqa: E402
from qa_service.corpus import build_corpus_passages, load_corpus  # noqa: E402
from qa_service.search.context import passage_context  # noqa: E402
from qa_service.search.embedding import load_embedder  # noqa: E402
from qa_service.search.query_encoder import QueryEncoder  # noqa: E402


def ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def questions() -> list[str]:
    lines = (ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(json.loads(line)["question"] for line in lines if line.strip()))[:80]


def contexts(settings) -> list[str]:
    documents = load_corpus(settings.corpus_dir, root=settings.root)
    by_id = {d.doc_id: d for d in documents}
    passages = build_corpus_passages(documents, max_chars=settings.max_passage_chars)
    return [passage_context(p, by_id[p.doc_id]) for p in passages]


def query_latency(embedder, qs: list[str]) -> tuple[float, float]:
    embedder.encode_queries(["预热"])
    times = []
    for q in qs:
        started = time.perf_counter()
        embedder.encode_queries([q])
        times.append((time.perf_counter() - started) * 1000)
    return pct(times, 50), pct(times, 95)


def passage_rate(embedder, texts: list[str], batch: int) -> float:
    embedder.batch_size = batch
    started = time.perf_counter()
    embedder.encode_passages(texts)
    return len(texts) / (time.perf_counter() - started)


def batcher_rate(embedder, qs: list[str], max_batch: int, clients: int = 8) -> tuple[float, float]:
    encoder = QueryEncoder(embedder, max_batch=max_batch)
    fresh = [f"{prefix}{q}" for prefix in ("请问", "我想知道", "查一下") for q in qs]
    counter, lock, latencies = iter(range(len(fresh))), threading.Lock(), []

    def worker(_):
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            started = time.perf_counter()
            encoder.encode_queries([fresh[i]])
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    return len(fresh) / (time.perf_counter() - started), statistics.median(latencies)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=ints, default=[1, 2, 4, 8])
    parser.add_argument("--passage-batches", type=ints, default=[1, 8, 16, 32])
    parser.add_argument("--max-batches", type=ints, default=[1, 4, 8, 16])
    parser.add_argument("--torch", action="store_true", help="also measure the sentence-transformers encoder")
    args = parser.parse_args(argv)
    settings = load_settings()
    qs, texts = questions(), contexts(settings)
    print(f"{os.cpu_count()} cores; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{len(qs)} questions, {len(texts)} passages")
    runtimes = (["torch"] if args.torch else []) + ["onnx"]
    for runtime in runtimes:
        for threads in args.threads:
            embedder = load_embedder(settings.model, cache_dir=settings.cache_dir, runtime=runtime,
                                     threads=threads if runtime == "onnx" else 0)
            p50, p95 = query_latency(embedder, qs)
            rates = {b: passage_rate(embedder, texts, b) for b in args.passage_batches}
            batcher = {m: batcher_rate(embedder, qs, m) for m in args.max_batches}
            label = threads if runtime == "onnx" else "torch default"
            print(f"{runtime} threads={label}: query p50 {p50:.1f} / p95 {p95:.1f} ms; passages/s "
                  + ", ".join(f"batch {b}: {r:.1f}" for b, r in rates.items())
                  + "; 8 threads never-seen q/s (median ms) "
                  + ", ".join(f"max_batch {m}: {r:.0f} ({lat:.0f})" for m, (r, lat) in batcher.items()),
                  flush=True)
            if runtime == "torch":
                break  # torch's thread count is its own default; one row is the baseline
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
