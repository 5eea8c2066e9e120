"""Soak ``qa-service serve`` with never-repeated questions and watch its memory level off.

Starts the production server as a subprocess on a free 127.0.0.1 port (building the index
first if needed), then 8 clients ask questions that are each new — random made-up words in
realistic templates, so every request brings terms no cache has seen (the query-embedding
LRU and the per-term document-frequency LRU must both stay bounded). Every 30 s it prints the
server's resident memory; at the end, a summary. Bounded: at most 5 minutes of load.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/soak.py [--minutes 5] [--clients 8] [--every 30]

Prints figures; asserts nothing. The machine's load average is printed alongside, because the
figures depend on what else runs.
"""
from __future__ import annotations

import argparse
import itertools
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import ROOT, Client, free_port, rss_mb, serve_command, wait_healthy  # noqa: E402

MAX_MINUTES = 5.0
TEMPLATES = (
    "{year}年{word}是多少", "{word}{metric}增长了多少", "{year}年四平{word}{metric}",
    "四平{word}有哪些{word2}", "{word}和{word2}的{metric}", "{year}年{word}{word2}完成情况",
)
METRICS = ("产量", "总额", "增速", "投资", "面积", "人数", "项目", "收入")
# common Chinese characters: random pairs and triples make words the corpus never saw
CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府研"


def questions(seed: int):
    """Never-repeated questions (a counter makes each unique even if the words repeat)."""
    rng = random.Random(seed)
    for n in itertools.count():
        word = "".join(rng.choices(CHARS, k=rng.choice((2, 3))))
        word2 = "".join(rng.choices(CHARS, k=2))
        text = rng.choice(TEMPLATES).format(year=rng.randint(2015, 2030), word=word, word2=word2,
                                            metric=rng.choice(METRICS))
        yield f"{text}（{seed}-{n}）"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=MAX_MINUTES, help=f"at most {MAX_MINUTES:g}")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="server worker threads")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between RSS lines")
    parser.add_argument("--start-timeout", type=float, default=600.0)
    args = parser.parse_args()
    duration = min(args.minutes, MAX_MINUTES) * 60

    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    log = tempfile.NamedTemporaryFile("w+", prefix="soak-serve-", suffix=".log", delete=False)
    print(f"starting qa-service serve on 127.0.0.1:{port} (log: {log.name})", flush=True)
    process = subprocess.Popen(serve_command(port, args.threads), cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    counts = {"ok": 0, "errors": 0}
    latencies: list[float] = []
    lock, stop = threading.Lock(), threading.Event()
    first_error: list[str] = []

    def client(seed: int) -> None:
        connection, source = Client(port), questions(seed)
        while not stop.is_set():
            elapsed, error = connection.ask(next(source))
            with lock:
                counts["errors" if error else "ok"] += 1
                latencies.append(elapsed)
                if error and not first_error:
                    first_error.append(error)
        connection.close()

    try:
        health = wait_healthy(port, process, args.start_timeout)
        idle, _ = rss_mb(process.pid)
        print(f"ready: {health.get('passage_count')} passages; idle RSS {idle:.0f} MB; "
              f"load average {load_average()}", flush=True)
        print(f"{'t (s)':>6} {'requests':>9} {'errors':>6} {'req/s':>6} {'RSS MB':>7} {'peak MB':>8}  load avg",
              flush=True)
        workers = [threading.Thread(target=client, args=(seed,), daemon=True) for seed in range(args.clients)]
        started = time.monotonic()
        for worker in workers:
            worker.start()
        rows, last_total, last_t = [], 0, 0.0
        while (now := time.monotonic() - started) < duration:
            time.sleep(min(args.every, duration - now))
            t = time.monotonic() - started
            with lock:
                total, errors = counts["ok"] + counts["errors"], counts["errors"]
            rss, peak = rss_mb(process.pid)
            rows.append((t, rss))
            print(f"{t:6.0f} {total:9d} {errors:6d} {(total - last_total) / (t - last_t):6.1f} {rss:7.0f} "
                  f"{peak:8.0f}  {load_average()}", flush=True)
            last_total, last_t = total, t
        stop.set()
        for worker in workers:
            worker.join(timeout=35)
        if process.poll() is not None:
            print(f"server died (exit {process.returncode}); see {log.name}")
            return 1
        ordered = sorted(latencies)
        half = len(rows) // 2
        growth = rows[-1][1] - rows[half][1] if len(rows) > 1 else 0.0
        print(f"summary: {counts['ok'] + counts['errors']} never-repeated questions, {counts['errors']} errors, "
              f"p50 {ordered[len(ordered) // 2]:.0f} ms, p95 {ordered[int(len(ordered) * 0.95)]:.0f} ms; "
              f"RSS idle {idle:.0f} MB -> end {rows[-1][1]:.0f} MB; second half {growth:+.0f} MB")
        if first_error:
            print(f"first error: {first_error[0]}")
        return 0
    finally:
        stop.set()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    sys.exit(main())
