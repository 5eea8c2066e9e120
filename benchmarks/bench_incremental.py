"""Index update costs with the real model: a full build from an empty embedding cache, adding one
document to the current index, a metadata-only edit, and a rebuild with every vector cached.

    .venv/bin/python benchmarks/bench_incremental.py [--doc PATH] [--repeat 3]

Works on a scratch copy of corpus/ (never the real index). The model is loaded once and its
load time reported separately; every figure is wall time on this machine, with the load
average printed next to it (the machine is shared: timings are noisy).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from qa_service.config import load_settings  # noqa: E402
from qa_service.search import build_index  # noqa: E402
from qa_service.search.embedding_cache import CACHE_DIR  # noqa: E402
from qa_service.service import make_embedder  # noqa: E402

DEFAULT_DOC = ROOT / "eval" / "user_corpus" / "docs" / "2024" / "conference_report.TXT"


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc", type=Path, default=DEFAULT_DOC, help="the document to add")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-incremental-"))
    try:
        settings = load_settings({"corpus_dir": work / "corpus", "index_dir": work / "index"})
        model_s, embedder = timed(lambda: make_embedder(settings))
        print(f"model load: {model_s:.1f}s ({load()})")
        rows = {"full build, empty cache": [], "add one document": [], "metadata edit": [], "rebuild, all cached": []}
        for _ in range(args.repeat):
            shutil.rmtree(work / "corpus", ignore_errors=True)
            shutil.rmtree(work / "index", ignore_errors=True)
            shutil.copytree(ROOT / "corpus", work / "corpus")
            s, full = timed(lambda: build_index(settings, embedder))
            rows["full build, empty cache"].append((s, full))
            shutil.copy(args.doc, work / "corpus")
            s, added = timed(lambda: build_index(settings, embedder))
            rows["add one document"].append((s, added))
            meta = json.loads((work / "corpus" / "metadata.json").read_text(encoding="utf-8"))
            meta["documents"]["001_7ebea61fa912b90f"]["title"] += "（修订）"
            (work / "corpus" / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            s, edited = timed(lambda: build_index(settings, embedder))
            rows["metadata edit"].append((s, edited))
            s, again = timed(lambda: build_index(settings, embedder))
            rows["rebuild, all cached"].append((s, again))
            assert (work / "index" / CACHE_DIR).is_dir()
        print(f"\n{'step':<26} {'median s':>9} {'min s':>7} {'passages':>9} {'embedded':>9}")
        for name, runs in rows.items():
            seconds = [s for s, _ in runs]
            last = runs[-1][1]
            print(f"{name:<26} {statistics.median(seconds):>9.2f} {min(seconds):>7.2f} "
                  f"{last.passage_count:>9} {last.changes.embedded:>9}")
        print(f"\n(model load {model_s:.1f}s not included; {load()})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
