"""Per-question latency of two checkouts of this project, A/B, on the same gold questions.

    git worktree add /tmp/base 29a1d71 && (cd /tmp/base && ../main/.venv/bin/qa-service index)
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_latency_ab.py /tmp/base . [--every 3] [--rounds 2] [--max-chars 200]

Each checkout runs in its own process (the package is imported from that checkout, with its own
index and learned model), alternately, ``--rounds`` times: every ``--every``-th question of
``eval/gold.jsonl`` (this checkout's, so both answer the same questions) is asked once to warm
up, then twice timed, with the query vectors warm ("warm": the question path without the
encoder) and with the query cache cleared before each question ("cold": the encoder included).
Prints p50 / p95 per checkout and round, and the difference of the medians.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
import statistics
import subprocess
import sys

_CHILD = r"""
import json, os, statistics, sys, time
sys.path.insert(0, os.getcwd())
import qa_service
assert qa_service.__file__.startswith(os.getcwd()), qa_service.__file__
from qa_service.config import load_settings
from qa_service.service import QAService
gold, every, longest = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
questions = [q for q in (json.loads(line)["question"] for line in open(gold, encoding="utf-8") if line.strip())
             if not longest or len(q) <= longest][::every]
service = QAService.load(load_settings(), build_if_missing=False)
for q in questions:
    service.ask(q)
out = {}
for kind in ("warm", "cold"):
    times = []
    for _ in range(2):
        for q in questions:
            if kind == "cold":
                service.clear_cache()
            t = time.perf_counter()
            service.ask(q)
            times.append((time.perf_counter() - t) * 1000)
    out[kind] = times
print(json.dumps({"n": len(questions), **out}))
"""


def run(checkout: Path, gold: Path, every: int, longest: int = 0) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(checkout)}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(gold), str(every), str(longest)], cwd=checkout, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def p95(times: list[float]) -> float:
    return sorted(times)[int(len(times) * 0.95)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("head", type=Path)
    parser.add_argument("--every", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--max-chars", type=int, default=0,
                        help="ask only questions this long or shorter (an older checkout may refuse longer ones)")
    args = parser.parse_args(argv)
    gold = Path(__file__).resolve().parents[1] / "eval" / "gold.jsonl"
    medians: dict[tuple[str, str], list[float]] = {}
    for r in range(args.rounds):
        for name, checkout in (("base", args.base), ("head", args.head)):
            result = run(checkout.resolve(), gold, args.every, args.max_chars)
            for kind in ("warm", "cold"):
                times = result[kind]
                medians.setdefault((name, kind), []).append(statistics.median(times))
                print(f"round {r + 1} {name:4} {kind}: {result['n']} questions ×2, "
                      f"p50 {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms", flush=True)
    for kind in ("warm", "cold"):
        base, head = statistics.median(medians[("base", kind)]), statistics.median(medians[("head", kind)])
        print(f"{kind}: median p50 base {base:.1f} ms, head {head:.1f} ms, head − base {head - base:+.1f} ms "
              f"(ratio {head / base:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
