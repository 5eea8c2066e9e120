"""Dev CV right replies of several (coverage floors, key-concept waiver) settings, each against the best.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/cv_settings.py 0.1/0.05@0.4 0.3/0.2@0.6 0.2/0.1@0.4

Fits the models at each setting as ``qa-service train`` does (``training._train_at``: sentence
scorer, listwise ranking, rank penalty and abstention, all out of fold over the repeated fold
assignments of the dev split) and prints, per setting, the out-of-fold right replies (right
answers plus unanswerable questions abstained on), the threshold and penalty the CV chose there,
and how far it is from the best, with one standard error of that difference's sum (per-question
differences on the same questions). ``qa-service train`` keeps the setting in use unless the best
beats it by more than that (``training._kept``). About 12 s per setting on 2 cores.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa_service.config import load_settings  # noqa: E402
from qa_service.evaluation.gold import load_gold  # noqa: E402
from qa_service.evaluation import training  # noqa: E402
from qa_service.service import QAService  # noqa: E402


def _setting(text: str) -> tuple[tuple[float, float], float]:
    floors, waiver = text.split("@")
    passage, sentence = floors.split("/")
    return (float(passage), float(sentence)), float(waiver)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("settings", nargs="+", type=_setting, help="passage/sentence floors @ waiver, e.g. 0.1/0.05@0.4")
    parser.add_argument("--gold", type=Path, default=None, help="gold JSONL (default: eval/gold.jsonl); dev split only")
    args = parser.parse_args()
    settings = load_settings()
    gold = args.gold or settings.root / "eval" / "gold.jsonl"
    records = training.part_records(service := QAService.load(settings.replace(learned_model="off"),
                                                              build_if_missing=False),
                                    [r for r in load_gold(gold) if r.split == "dev"])
    clause_dense = training.fit_clause_weights(training.collect_clauses(service, records))[0]
    right = {}
    for floors, waiver in args.settings:
        model, right[floors, waiver] = training._train_at(service, records, floors, waiver, clause_dense)
        print(f"floors {floors[0]}/{floors[1]}, waiver {waiver}: CV right replies {right[floors, waiver].sum():.1f} "
              f"(threshold {model.threshold}, rank penalty {model.rank_penalty})", flush=True)
    best = max(right, key=lambda k: right[k].sum())
    for key, values in right.items():
        diff = right[best] - values
        se = float(diff.std(ddof=1) * np.sqrt(len(diff)))
        print(f"floors {key[0][0]}/{key[0][1]}, waiver {key[1]}: {diff.sum():.1f} below the best, one SE {se:.1f}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    raise SystemExit(main())
