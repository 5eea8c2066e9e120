"""Benchmark ``/api/ask`` over HTTP against the production server (``qa-service serve``).

Starts the server as a subprocess on a free 127.0.0.1 port, waits for ``/healthz``, then
measures one sequential client and N concurrent clients with a fixed list of realistic
questions, and reads the server's resident memory. Prints figures; never asserts timing.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_api.py [--runtimes onnx,torch]
        [--sequential 200] [--concurrent 400] [--clients 8] [--threads 8] [--time-limit 120]

One server per encoder runtime (``QA_ENCODER_RUNTIME``), one after the other, printed side by side.
Targets (issue 12): first-seen questions p50 ≤ 15 ms, p95 ≤ 30 ms; repeated questions p50 ≤ 5 ms;
≥ 150 req/s with 8 clients asking never-seen questions; RSS ≤ 600 MB idle, ≤ 700 MB after.
"""
from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

QUESTIONS = [
    "2024年前三季度GDP是多少",
    "2022年四平粮食产量是多少",
    "十五五期间四平要建设哪几座城",
    "2023年上半年城镇新增就业多少人",
    "2024年前三季度固定资产投资增长多少",
    "2024年前三季度社零额是多少",
    "2023年四平地区生产总值预期增长目标",
    "2022年全年GDP增速预计多少",
    "保护性耕作面积有多少万亩",
    "2024年高标准农田建设任务完成多少",
    "四平的八大重点产业是什么",
    "2023年上半年外贸进出口总额",
    "招商引资到位资金多少亿元",
    "2024年红色旅游接待多少人次",
    "梨树黑土地论坛举办了多少年",
    "2023年规上工业增加值增长多少",
    "冶金建材产业要打造多少亿级基地",
    "2023年要为多少名残疾人提供服务",
    "市委八届十一次全会什么时候召开",
    "四平数字经济产业园引进了多少企业",
]


PREFIXES = ("请问", "我想知道", "查一下", "四平市")
SUFFIXES = ("？", "呢", "啊", "。")


def unseen_questions() -> list[str]:
    """Paraphrases nobody asked before: each one makes the server run the encoder."""
    return [f"{prefix}{question}{suffix}" for prefix in PREFIXES for suffix in SUFFIXES
            for question in QUESTIONS]


@dataclass
class Run:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies_ms) + len(self.errors)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(port: int, threads: int) -> list[str]:
    """``qa-service serve`` through the CLI module."""
    return [sys.executable, "-m", "qa_service.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
            "--threads", str(threads)]


def wait_healthy(port: int, process: subprocess.Popen, timeout_s: float) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            body = response.read()
            conn.close()
            if response.status == 200:
                return json.loads(body)
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"server not healthy after {timeout_s:.0f}s")


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size in MB, from psutil or /proc."""
    try:
        import psutil

        info = psutil.Process(pid).memory_info()
        peak = getattr(info, "peak_wset", 0) or info.rss
        return info.rss / 2**20, peak / 2**20
    except ImportError:
        values = {}
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
        return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


class Client:
    """One keep-alive HTTP connection, reconnecting if the server closes it."""

    def __init__(self, port: int):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def ask(self, question: str, top_k: int = 5) -> tuple[float, str | None]:
        body = json.dumps({"question": question, "top_k": top_k}, ensure_ascii=False).encode()
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.request("POST", "/api/ask", body=body, headers={"Content-Type": "application/json"})
                response = self.conn.getresponse()
                data = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if response.status != 200:
                    return elapsed, f"HTTP {response.status}: {data[:120]!r}"
                if "passages" not in json.loads(data):
                    return elapsed, "response without passages"
                return elapsed, None
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if attempt == 2:
                    return (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {exc}"
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def sequential(port: int, requests: int, deadline: float) -> Run:
    run, client = Run(), Client(port)
    started = time.perf_counter()
    for i in range(requests):
        if time.monotonic() > deadline:
            break
        elapsed, error = client.ask(QUESTIONS[i % len(QUESTIONS)])
        (run.errors.append(error) if error else run.latencies_ms.append(elapsed))
    run.wall_s = time.perf_counter() - started
    client.close()
    return run


def concurrent(port: int, requests: int, clients: int, deadline: float,
               questions: list[str] = QUESTIONS) -> Run:
    run, lock = Run(), threading.Lock()
    counter = iter(range(requests))

    def worker(offset: int) -> None:
        client = Client(port)
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            elapsed, error = client.ask(questions[(i + offset) % len(questions)])
            with lock:
                (run.errors.append(error) if error else run.latencies_ms.append(elapsed))
        client.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    run.wall_s = time.perf_counter() - started
    return run


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)  # nearest-rank percentile
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def measure(runtime: str, args) -> list[tuple[str, str, str]] | None:
    """Start ``qa-service serve`` with ``QA_ENCODER_RUNTIME=runtime``, run the phases, stop it."""
    port = free_port()
    command = serve_command(port, args.threads)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "QA_ENCODER_RUNTIME": runtime}
    log = tempfile.NamedTemporaryFile("w+", prefix=f"bench-serve-{runtime}-", suffix=".log", delete=False)
    print(f"[{runtime}] starting: {' '.join(command[1:])}  (log: {log.name})", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        health = wait_healthy(port, process, args.start_timeout)
        startup_s = time.perf_counter() - started
        rss_idle, _ = rss_mb(process.pid)
        print(f"[{runtime}] ready in {startup_s:.1f}s: model {health.get('model')}, "
              f"{health.get('passage_count')} passages", flush=True)

        Client(port).ask("四平")  # settle connection set-up with a question not in the list
        seq = sequential(port, args.sequential, time.monotonic() + args.time_limit)
        con = concurrent(port, args.concurrent, args.clients, time.monotonic() + args.time_limit)
        fresh = unseen_questions()[:args.unseen]
        cold = concurrent(port, len(fresh), args.clients, time.monotonic() + args.time_limit, fresh)
        rss_now, rss_peak = rss_mb(process.pid)
    except Exception as exc:
        log.seek(0)
        print(f"benchmark failed: {exc}\n--- server log (tail) ---\n{''.join(log.readlines()[-30:])}")
        return None
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()

    first, repeated = seq.latencies_ms[:len(QUESTIONS)], seq.latencies_ms[len(QUESTIONS):]
    for error in (seq.errors + con.errors + cold.errors)[:5]:
        print(f"[{runtime}] error:", error)
    return [
        ("startup (spawn → healthy)", f"{startup_s:.1f} s", ""),
        ("1 client: first sight of each question, p50 / p95", f"{percentile(first, 50):.1f} / "
                                                             f"{percentile(first, 95):.1f} ms", "≤ 15 / ≤ 30 ms"),
        ("1 client: repeated questions, p50 / p95", f"{percentile(repeated, 50):.1f} / "
                                                   f"{percentile(repeated, 95):.1f} ms", "p50 ≤ 5 ms"),
        ("1 client: all requests, p50 / p95", f"{percentile(seq.latencies_ms, 50):.1f} / "
                                             f"{percentile(seq.latencies_ms, 95):.1f} ms", "≤ 30 / ≤ 60 ms"),
        ("1 client: requests / errors", f"{seq.count} / {len(seq.errors)}", "no errors"),
        (f"{args.clients} clients: throughput", f"{len(con.latencies_ms) / con.wall_s:.1f} req/s"
         if con.wall_s else "-", "≥ 40 req/s"),
        (f"{args.clients} clients: p50 / p95", f"{percentile(con.latencies_ms, 50):.1f} / "
                                               f"{percentile(con.latencies_ms, 95):.1f} ms", ""),
        (f"{args.clients} clients: requests / errors", f"{con.count} / {len(con.errors)}", "no errors"),
        (f"{args.clients} clients, never-seen: throughput", f"{len(cold.latencies_ms) / cold.wall_s:.1f} req/s"
         if cold.wall_s and cold.latencies_ms else "-", "≥ 150 req/s"),
        (f"{args.clients} clients, never-seen: p50 / p95", f"{percentile(cold.latencies_ms, 50):.1f} / "
                                                          f"{percentile(cold.latencies_ms, 95):.1f} ms", ""),
        (f"{args.clients} clients, never-seen: requests / errors", f"{cold.count} / {len(cold.errors)}", ""),
        ("server RSS idle / after / peak", f"{rss_idle:.0f} / {rss_now:.0f} / {rss_peak:.0f} MB",
         "≤ 600 / ≤ 700 MB"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sequential", type=int, default=200, help="requests from one client")
    parser.add_argument("--concurrent", type=int, default=400, help="requests shared by the clients")
    parser.add_argument("--unseen", type=int, default=160,
                        help="requests with never-asked paraphrases, shared by the clients (0: skip)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--threads", type=int, default=8, help="server worker threads")
    parser.add_argument("--runtimes", default="onnx,torch",
                        help="encoder runtimes to compare, one server each (QA_ENCODER_RUNTIME)")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds for each phase at most")
    parser.add_argument("--start-timeout", type=float, default=300.0,
                        help="seconds to wait for the server (it builds the index if missing)")
    args = parser.parse_args(argv)

    runtimes = [r.strip() for r in args.runtimes.split(",") if r.strip()]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    results = {runtime: measure(runtime, args) for runtime in runtimes}
    if any(rows is None for rows in results.values()):
        return 1
    names = [name for name, _, _ in results[runtimes[0]]]
    targets = [target for _, _, target in results[runtimes[0]]]
    width = max(len(n) for n in names)
    print(f"\n{'measure':<{width}}  " + "  ".join(f"{r:>24}" for r in runtimes) + "  target")
    print("-" * (width + 26 * len(runtimes) + 16))
    for i, name in enumerate(names):
        print(f"{name:<{width}}  " + "  ".join(f"{results[r][i][1]:>24}" for r in runtimes) + f"  {targets[i]}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"\n{len(QUESTIONS)} distinct questions, cycled: the service caches query embeddings, so "
          "repeats measure retrieval + answer extraction; the never-seen rows and the first sight of "
          "each question include the encoder.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
