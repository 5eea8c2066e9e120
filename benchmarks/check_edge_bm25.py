"""Does Qdrant's own engine give bm25s's BM25 from our sparse vectors? (qdrant-edge-py, optional)

Run:  .venv/bin/pip install qdrant-edge-py==0.9.0
      HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/check_edge_bm25.py

The seed corpus's passages are indexed as the Qdrant store indexes them (``store_records`` and
``saturated_tf`` over the same jieba tokens of the indexed context) into an ``EdgeShard`` — the
Rust engine a Qdrant server runs — with ``Modifier.Idf``; every gold question's tokens are
queried there and in the service's bm25s index, and the top-10 rows and their scores compared.
The Python engine of qdrant-client's local mode is checked the same way by the test suite.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import qdrant_edge as qe  # noqa: E402

from qa_service.corpus import build_corpus_passages, load_corpus  # noqa: E402
from qa_service.search import BM25Index, tokenize  # noqa: E402
from qa_service.search.context import passage_context  # noqa: E402
from qa_service.search.sparse import query_weights, saturated_tf  # noqa: E402


def main() -> int:
    documents = load_corpus(ROOT / "corpus", root=ROOT)
    by_id = {d.doc_id: d for d in documents}
    passages = build_corpus_passages(documents, max_chars=360)
    tokens = [tokenize(passage_context(p, by_id[p.doc_id])) for p in passages]
    bm25 = BM25Index.build(tokens)
    avgdl = float(np.mean([len(t) for t in tokens]))
    vocab: dict[str, int] = {}
    for t in tokens:
        for w in t:
            vocab.setdefault(w, len(vocab))
    directory = tempfile.mkdtemp(prefix="edge-bm25-")
    shard = qe.EdgeShard.create(directory + "/shard", qe.EdgeConfig(
        sparse_vectors={"bm25": qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)}))
    points = []
    for i, t in enumerate(tokens):
        weights = {vocab[w]: x for w, x in saturated_tf(t, avgdl=avgdl).items()}
        keys = sorted(weights)
        points.append(qe.Point(id=i, vector={"bm25": qe.SparseVector(indices=keys, values=[weights[k] for k in keys])}))
    shard.update(qe.UpdateOperation.upsert_points(points))
    gold = [json.loads(line) for line in (ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line]
    same, overlap, worst, untied = 0, [], 0.0, 0
    for g in gold:
        q = tokenize(g["question"])
        scores = bm25.scores(q)
        ranking, _ = bm25.search(q, 10)
        weights = {vocab[w]: x for w, x in query_weights(q).items() if w in vocab}
        if not weights:
            continue
        keys = sorted(weights)
        found = shard.query(qe.QueryRequest(limit=10, query=qe.Query.Nearest(
            qe.SparseVector(indices=keys, values=[weights[k] for k in keys]), using="bm25")))
        edge = sorted(((int(p.id), float(p.score)) for p in found if p.score > 0), key=lambda x: (-x[1], x[0]))
        same += [r for r, _ in edge] == ranking
        differing = {r for r, _ in edge} ^ set(ranking)
        if differing:  # only rows tied (to float precision) with the 10th score may differ
            tenth = scores[ranking[-1]]
            untied += any(abs(scores[r] - tenth) > 1e-5 * tenth for r in differing)
        overlap.append(len({r for r, _ in edge} & set(ranking)) / max(1, len(ranking)))
        worst = max([worst, *(abs(s - scores[r]) / scores[r] for r, s in edge)])
    shard.close()
    shutil.rmtree(directory, ignore_errors=True)
    print(f"{len(overlap)} questions, {len(passages)} passages: identical top-10 {same}/{len(overlap)}, "
          f"mean top-10 overlap {np.mean(overlap):.4f}, largest relative score difference {worst:.2e}; "
          f"lists differing by a row not tied with the 10th score: {untied}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
