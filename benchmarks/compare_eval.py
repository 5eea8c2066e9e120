"""Compare two ``qa-service eval`` reports (``report.json``), ignoring timings.

    .venv/bin/python benchmarks/compare_eval.py eval-torch/report.json eval-onnx/report.json

Prints "identical" or every differing field (per mode, per question: ranked passages, scores
rounded to 4 decimals, answers, spans, metrics). Used to check that the ONNX encoder gives the
torch encoder's evaluation figures.
"""
from __future__ import annotations

import json
import sys


def normalise(value, path=""):
    """Drop timings; round floats (dense scores differ in the 7th digit between runtimes)."""
    if isinstance(value, dict):
        return {k: normalise(v, f"{path}.{k}") for k, v in value.items()
                if "latency" not in k and not k.endswith("_ms") and k not in ("created", "built_at")}
    if isinstance(value, list):
        return [normalise(v, path) for v in value]
    if isinstance(value, float):
        return round(value, 4)
    return value


def differences(a, b, path="", out=None):
    out = [] if out is None else out
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            differences(a.get(key), b.get(key), f"{path}.{key}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            differences(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: {a!r} != {b!r}")
    return out


def main(argv: list[str]) -> int:
    first, second = (normalise(json.load(open(p, encoding="utf-8"))) for p in argv[:2])
    found = differences(first, second)
    print("identical (timings ignored, floats to 4 decimals)" if not found else f"{len(found)} differences:")
    for line in found[:40]:
        print(" ", line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
