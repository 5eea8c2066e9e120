"""Cost of reading a question before analysis (OpenCC, English gloss, homophones).

Times ``analyse`` on every gold question with the normalisation the service uses and, in the
same process, with the homophone reader off and the other two steps bypassed, and prints
medians and p95 per question. No model: analysis only.

    .venv/bin/python benchmarks/bench_normalize.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa_service.corpus import build_corpus_passages, load_corpus  # noqa: E402
from qa_service.evaluation.gold import load_gold  # noqa: E402
from qa_service.qa import analysis  # noqa: E402
from qa_service.qa.normalize import HomophoneReader  # noqa: E402
from qa_service.search.tokenizer import default_tokenizer  # noqa: E402


def timed(questions, **kwargs) -> list[float]:
    out = []
    for q in questions:
        started = time.perf_counter()
        analysis.analyse(q, **kwargs)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    questions = [r.question for r in load_gold(ROOT / "eval" / "gold.jsonl")]
    passages = build_corpus_passages(load_corpus(ROOT / "corpus", root=ROOT))
    tok = default_tokenizer()
    vocab = {t for p in passages for t in tok.tokenize(p.text)}
    reader = HomophoneReader(vocab, "\n".join(p.text for p in passages))
    timed(questions, reader=reader)  # warm-up: jieba, OpenCC and pypinyin dictionaries
    rounds = {"with normalisation": [], "without": []}
    for _ in range(5):
        rounds["with normalisation"] += timed(questions, reader=reader)
        with mock.patch.object(analysis, "to_simplified", lambda t: (t, ())), \
                mock.patch.object(analysis, "gloss_english", lambda t, d=None: (t, (), ())):
            rounds["without"] += timed(questions)
    for name, values in rounds.items():
        values.sort()
        print(f"{name:20s} p50 {statistics.median(values):.2f} ms  p95 {values[int(0.95 * len(values))]:.2f} ms"
              f"  ({len(values)} analyses of {len(questions)} questions)")
    base = statistics.median(rounds["without"])
    print(f"added p50: {statistics.median(rounds['with normalisation']) - base:.2f} ms per question")


if __name__ == "__main__":
    main()
