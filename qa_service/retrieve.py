"""Hybrid retrieval: BM25 and dense candidates, reciprocal rank fusion, then re-ranking.

Re-ranking adds evidence the fused rank cannot see: how much of the question's content
(weighted by rarity, synonyms counted) a passage covers, whether its document reports on the
year asked about, and — for how-much questions — whether it contains a figure with a unit.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .query import QueryAnalysis
from .types import Document, Hit, Passage

RRF_K = 60
CANDIDATES = 50
_NO_IDS = np.empty(0, dtype=np.int64)
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|倍|[万亿千百]*(?:元|亩|斤|吨|人次|人|个|家|户|公里|千米|项|件|座|条|所|头|只|场|次|套|笔|宗|名|辆|平方米|立方米|千瓦|年))")
_TEXT_YEAR = re.compile(r"(20\d{2})\s*年")


@dataclass(frozen=True)
class Weights:
    bm25: float = 1.0  # fusion weights: on the gold set BM25 alone beats the dense model alone
    dense: float = 0.5
    coverage: float = 0.6
    year: float = 0.5
    figure: float = 0.15
    period: float = 0.2


def rrf(rankings: list[list[int]], *, k: int = RRF_K, weights: list[float] | None = None) -> dict[int, float]:
    """Weighted reciprocal rank fusion (Cormack et al. 2009): score = Σ w / (k + rank), rank from 1."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, idx in enumerate(ranking, start=1):
            fused[idx] = fused.get(idx, 0.0) + weight / (k + rank)
    return fused


def passage_years(p: Passage) -> set[int]:
    """Years the passage names in its text or section heading (二、2023年主要目标…)."""
    return {int(y) for y in _TEXT_YEAR.findall(f"{p.section} {p.text}")}


def year_score(p: Passage, doc: Document | None, analysis: QueryAnalysis) -> float:
    """How well a passage fits the years a question names, from -1 to 1.

    A section heading that names years (二、2023年主要目标和重点工作) overrides the document's
    years; otherwise the document's metadata decides: +1 when it reports on (or, for plan
    questions, plans for) the year, +0.5 when the passage text names it, +0.25 for a plan
    document asked about results (or the reverse), -1 when it is about other years only.
    """
    if not analysis.years or doc is None:
        return 0.0
    asked = set(analysis.years)
    section_years = {int(y) for y in _TEXT_YEAR.findall(p.section)}
    if section_years:
        return 1.0 if asked & section_years else -1.0
    reports, plans = set(doc.meta.reports_on), set(doc.meta.plans_for)
    if asked & (plans if analysis.asks_plan else reports):
        return 1.0
    if asked & passage_years(p):
        return 0.5
    if analysis.asks_plan and asked & reports:
        return 0.25
    return -1.0 if reports | plans else 0.0


def idf(df: int, n: int) -> float:
    """BM25-style idf: rare content words decide coverage, corpus-wide words (四平) barely count."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def group_weight(group: tuple[str, ...], doc_freq: dict[str, int], n: int) -> float:
    """idf of a concept: its synonyms' passages counted together; unseen words weigh most."""
    df = max((doc_freq.get(w.lower(), 0) for w in group), default=0)
    return idf(df, n)


def coverage(text: str, analysis: QueryAnalysis, doc_freq: dict[str, int], n: int) -> float:
    """Share of the question's content (idf-weighted concept groups) present in ``text``."""
    lowered = text.lower()
    total = found = 0.0
    for group in analysis.term_groups:
        weight = group_weight(group, doc_freq, n)
        total += weight
        if any(w.lower() in lowered for w in group):
            found += weight
    return found / total if total else 0.0


def has_figure(text: str) -> bool:
    return bool(_FIGURE.search(text))


def top_n(scores: np.ndarray, n: int) -> np.ndarray:
    """``np.argsort(-scores, kind="stable")[:n]`` (same ids, same order, ties by index) without
    sorting every passage: a partition finds the n-th best score, only the n best are sorted."""
    if n >= len(scores):
        return np.argsort(-scores, kind="stable")[:n]
    if n <= 0:
        return _NO_IDS
    kth = np.partition(scores, len(scores) - n)[len(scores) - n]
    above = np.flatnonzero(scores > kth)
    tied = np.flatnonzero(scores == kth)[: n - len(above)]
    idx = np.concatenate([above, tied])
    return idx[np.lexsort((idx, -scores[idx]))]


class Retriever:
    """Ranks passages for an analysed question with one of four modes."""

    MODES = ("bm25", "dense", "hybrid", "hybrid_rerank")

    def __init__(self, passages, dense, bm25, embedder, documents: dict[str, Document],
                 doc_freq: dict[str, int], *, weights: Weights = Weights()):
        self.passages = passages
        self.dense = dense
        self.bm25 = bm25
        self.embedder = embedder
        self.documents = documents
        self.doc_freq = doc_freq
        self.weights = weights
        self._doc_ids = np.array([p.doc_id for p in passages])
        # Each passage's years (its document's metadata, and years its section/text names), found
        # once: the year filter was a Python loop with a regex over every passage per question.
        by_year: dict[int, list[int]] = defaultdict(list)
        for i, p in enumerate(passages):
            for y in set(documents[p.doc_id].meta.years) | passage_years(p):
                by_year[y].append(i)
        self._by_year = {y: np.asarray(ids, dtype=np.int64) for y, ids in by_year.items()}

    def allowed(self, *, year: int | None, doc_id: str | None) -> np.ndarray | None:
        """Indices passing the filters (None = no filter); empty when nothing matches."""
        if year is None and doc_id is None:
            return None
        keep = np.ones(len(self.passages), dtype=bool)
        if doc_id is not None:
            keep &= self._doc_ids == doc_id
        if year is not None:
            in_year = np.zeros(len(self.passages), dtype=bool)
            in_year[self._by_year.get(year, _NO_IDS)] = True
            keep &= in_year
        return np.flatnonzero(keep)

    def bm25_ranking(self, analysis: QueryAnalysis, allowed: np.ndarray | None, n: int):
        scores = self.bm25.scores(analysis.search_tokens)
        if allowed is not None:
            masked = np.full_like(scores, -np.inf)
            masked[allowed] = scores[allowed]
            scores = masked
        order = top_n(scores, n)
        return [int(i) for i in order if scores[i] > 0], scores

    def dense_ranking(self, analysis: QueryAnalysis, allowed: np.ndarray | None, n: int):
        query = self.embedder.encode_queries([analysis.dense_text])
        sims, ids = self.dense.search(query, n, allowed=allowed)
        ranking = [int(i) for i in ids[0] if i >= 0]
        return ranking, {int(i): float(s) for s, i in zip(sims[0], ids[0]) if i >= 0}

    def search(self, analysis: QueryAnalysis, *, top_k: int, mode: str = "hybrid_rerank",
               year: int | None = None, doc_id: str | None = None) -> list[Hit]:
        allowed = self.allowed(year=year, doc_id=doc_id)
        if allowed is not None and len(allowed) == 0:
            return []
        n = min(CANDIDATES, len(self.passages))
        rankings, weights, bm25_scores, dense_scores = [], [], None, {}
        if mode in ("bm25", "hybrid", "hybrid_rerank"):
            ranking, bm25_scores = self.bm25_ranking(analysis, allowed, n)
            rankings.append(ranking)
            weights.append(self.weights.bm25)
        if mode in ("dense", "hybrid", "hybrid_rerank"):
            ranking, dense_scores = self.dense_ranking(analysis, allowed, n)
            rankings.append(ranking)
            weights.append(self.weights.dense)
        fused = rrf(rankings, weights=weights)
        scored = []
        best = max(fused.values(), default=1.0)
        for idx, fused_score in fused.items():
            p = self.passages[idx]
            scores = {"fused": fused_score}
            if bm25_scores is not None:
                scores["bm25"] = float(bm25_scores[idx]) if np.isfinite(bm25_scores[idx]) else 0.0
            if idx in dense_scores:
                scores["dense"] = dense_scores[idx]
            final = fused_score
            if mode == "hybrid_rerank":
                final = self._rerank(p, analysis, fused_score / best, scores)
            scored.append((final, idx, scores))
        scored.sort(key=lambda t: (-t[0], t[1]))
        return [Hit(self.passages[idx], rank, score, scores)
                for rank, (score, idx, scores) in enumerate(scored[:top_k], start=1)]

    def _rerank(self, p: Passage, analysis: QueryAnalysis, fused_norm: float, scores: dict) -> float:
        w = self.weights
        doc = self.documents.get(p.doc_id)
        context = f"{p.section} {p.text}"
        cov = coverage(context, analysis, self.doc_freq, len(self.passages))
        yr = year_score(p, doc, analysis)
        fig = 1.0 if analysis.qtype == "how_much" and has_figure(p.text) else 0.0
        period = 1.0 if analysis.periods and any(x in p.text for x in analysis.periods) else 0.0
        scores.update({"coverage": cov, "year": yr})
        return fused_norm + w.coverage * cov + w.year * yr + w.figure * fig + w.period * period
