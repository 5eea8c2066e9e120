"""Learned answer sentences, passage ranking and abstention: logistic models over the pipeline's
own signals.

``qa-service train`` fits them on the gold set's dev split (``evaluation/training.py``) and
writes ``data/learned.json``; at query time they are a dot product and a sigmoid (numpy only).

- Sentences: every sentence of a passage that may answer gets ``answer.SENTENCE_FEATURES``; the
  model's score picks the passage's answer sentence and is that passage's answer score. It
  replaces the hand-set ``params.AnswerWeights``.
- Ranking: every fused candidate (the first ``RANK_POOL``) gets the features below; the model's
  score orders them. It replaces the hand-set re-ranking weights (``params.RankWeights``).
- Abstention: the answer finally chosen gets a calibrated probability of being right; below
  the threshold chosen by cross-validation the service abstains.
- Coverage floors: the share of the question a passage and a sentence must cover to answer at
  all, chosen by cross-validation with the rest (the rules modes keep ``params.THRESHOLDS``).
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ..corpus.sentences import clause_at
from ..types import Hit
from .analysis import QueryAnalysis
from .answer import SENTENCE_FEATURES, AnswerCandidate
from .linear import Linear
from .params import ANSWER_WEIGHTS, THRESHOLDS
from .signals import ScoringContext, has_figure

LEARNED_FILE = "learned.json"
RANK_POOL = 30  # fused candidates the learned ranking looks at
_ENGLISH_RANK_FEATURES = ("bm25", "dense", "coverage", "closest_sentence")
RANK_FEATURES = ("fused", "bm25", "dense", "coverage", "year", "year_asked", "figure", "period",
                 "answer", "has_answer", "closest_sentence",
                 # the same signals again for a question asked in English (0 otherwise): its own
                 # weights, since the gloss finds fewer of the corpus's words and the dense model
                 # matches across languages less surely than within one
                 *(f"english_{name}" for name in _ENGLISH_RANK_FEATURES),
                 # the passage's closest clause, relative to the pool's closest: a clause can say
                 # what was asked where its long sentence is about much else
                 "closest_clause")
_ENGLISH_COLUMNS = tuple(RANK_FEATURES.index(name) for name in _ENGLISH_RANK_FEATURES)
ABSTAIN_FEATURES = ("answer", "rank_prob", "margin", "coverage", "year", "cited_rank", "shaped_type",
                    "what_type", "n_terms", "sentence_coverage", "clause_coverage", "sentence_dense")


class LearnedModelError(ValueError):
    """The learned-model file is missing fields or was written for other features."""


@dataclass(frozen=True)
class LearnedModel:
    ranking: Linear
    abstention: Linear
    threshold: float  # abstain when P(answer right) is below it
    info: dict = field(default_factory=dict)  # how it was trained: CV figures, data, versions
    sentence: Linear | None = None  # scores answer sentences; None: the hand-set weights do
    # (passage, sentence) coverage below which no sentence may answer, chosen by CV like the rest
    coverage_floors: tuple[float, float] = (THRESHOLDS.min_passage_coverage, THRESHOLDS.min_unit_coverage)
    # the sentence coverage at which a sentence need not name the question's key concept, by CV too
    key_concept_waiver: float = THRESHOLDS.key_concept_waived_at
    # weight of a clause's cosine with the question when a clause is the span, for a Chinese and an
    # English question (``spans.pick_clause``), by CV on the dev sentences that hold the answer
    clause_dense: tuple[float, float] = (0.0, 0.0)
    # what a rank below the first costs a passage's answer score when the answer is drawn from the
    # leading passages (``answer.choose_answer``), in the sentence model's logits: by CV too
    rank_penalty: float = ANSWER_WEIGHTS.rank_penalty

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "LearnedModel":
        try:
            data = json.loads(text)
            if isinstance(data, dict) and "ranking" in data and not {"coverage_floors", "key_concept_waiver",
                                                                     "clause_dense", "rank_penalty"} <= set(data):
                raise LearnedModelError("learned model predates its learned coverage floors, key-concept "
                                        "waiver, clause weights and rank penalty: run `qa-service train`")
            model = cls(ranking=_linear(data["ranking"]), abstention=_linear(data["abstention"]),
                        threshold=float(data["threshold"]), info=dict(data.get("info") or {}),
                        sentence=_linear(data["sentence"]), coverage_floors=_floors(data["coverage_floors"]),
                        key_concept_waiver=_share(data["key_concept_waiver"]),
                        clause_dense=_weights(data["clause_dense"]), rank_penalty=_penalty(data["rank_penalty"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise LearnedModelError(f"malformed learned model: {exc}") from exc
        if (model.ranking.features != RANK_FEATURES or model.abstention.features != ABSTAIN_FEATURES
                or model.sentence is None or model.sentence.features != SENTENCE_FEATURES):
            raise LearnedModelError("learned model was trained on other features: run `qa-service train`")
        return model


def _linear(data: dict) -> Linear:
    lin = Linear(features=tuple(data["features"]), coef=tuple(map(float, data["coef"])),
                 intercept=float(data["intercept"]), mean=tuple(map(float, data["mean"])),
                 scale=tuple(map(float, data["scale"])))
    if not len(lin.features) == len(lin.coef) == len(lin.mean) == len(lin.scale):
        raise ValueError("feature, weight and scaling lengths differ")
    if not all(math.isfinite(v) for v in (*lin.coef, *lin.mean, *lin.scale, lin.intercept)):
        raise ValueError("non-finite weight")
    return lin


def _floors(data) -> tuple[float, float]:
    passage, unit = (float(v) for v in data)
    if not (0.0 <= passage <= 1.0 and 0.0 <= unit <= 1.0):
        raise ValueError("coverage floors must lie in [0, 1]")
    return passage, unit


def _weights(data) -> tuple[float, float]:
    chinese, english = (float(v) for v in data)
    if not all(math.isfinite(v) and v >= 0.0 for v in (chinese, english)):
        raise ValueError("clause weights must be finite and not negative")
    return chinese, english


def _penalty(value) -> float:
    if isinstance(value, bool) or not (math.isfinite(float(value)) and float(value) >= 0.0):
        raise ValueError("the rank penalty must be finite and not negative")
    return float(value)


def _share(value) -> float:
    if isinstance(value, bool) or not 0.0 <= float(value) <= 1.0:
        raise ValueError("the key-concept waiver is a coverage share in [0, 1]")
    return float(value)


def load_learned(path: Path | None = None) -> LearnedModel | None:
    """The model at ``path`` (default: the one shipped in ``data/``); None when there is none."""
    if path is None:
        resource = resources.files("qa_service") / "data" / LEARNED_FILE
        if not resource.is_file():
            return None
        return LearnedModel.from_json(resource.read_text(encoding="utf-8"))
    return LearnedModel.from_json(Path(path).read_text(encoding="utf-8"))


def rank_features(hits: Sequence[Hit], analysis: QueryAnalysis, ctx: ScoringContext,
                  candidates: Mapping[str, AnswerCandidate | None],
                  similarities: Mapping[str, np.ndarray] | None = None,
                  clause_sims: Mapping[str, Sequence[np.ndarray]] | None = None) -> np.ndarray:
    """One row of ``RANK_FEATURES`` per hit (retriever scores relative to the best candidate;
    ``similarities``: each hit's sentences' cosines with the question, ``answer.sentence_similarities``)."""
    sims = similarities or {}
    closest = {pid: float(v.max()) for pid, v in sims.items() if len(v)}
    best_closest = max(closest.values(), default=math.nan)
    best_fused = max((h.scores.get("fused", 0.0) for h in hits), default=0.0) or 1.0
    best_bm25 = max((h.scores.get("bm25", 0.0) for h in hits), default=0.0) or 1.0
    best_dense = max((h.scores.get("dense", -1.0) for h in hits), default=0.0)
    english = bool(analysis.asked)
    clauses = {pid: max((float(v.max()) for v in units if len(v)), default=math.nan)
               for pid, units in (clause_sims or {}).items()}
    best_clause = max((v for v in clauses.values() if not math.isnan(v)), default=math.nan)
    rows = []
    for hit in hits:
        p = hit.passage
        candidate = candidates.get(p.passage_id)
        row = [
            hit.scores.get("fused", 0.0) / best_fused,
            hit.scores.get("bm25", 0.0) / best_bm25,
            hit.scores["dense"] - best_dense if "dense" in hit.scores else -1.0,
            ctx.coverage(f"{p.section} {p.text}", analysis),
            ctx.year_score(p, analysis),
            1.0 if analysis.years else 0.0,
            1.0 if analysis.qtype == "how_much" and has_figure(p.text) else 0.0,
            1.0 if analysis.periods and any(x in p.text for x in analysis.periods) else 0.0,
            candidate.score if candidate else 0.0,
            1.0 if candidate else 0.0,
            closest[p.passage_id] - best_closest if p.passage_id in closest else math.nan,
        ]
        rows.append(row + [row[i] if english else 0.0 for i in _ENGLISH_COLUMNS]
                    + [clauses.get(p.passage_id, math.nan) - best_clause])
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(RANK_FEATURES))


def abstain_features(hits: Sequence[Hit], cited_rank: int, candidate: AnswerCandidate,
                     analysis: QueryAnalysis, ctx: ScoringContext) -> np.ndarray:
    """``ABSTAIN_FEATURES`` of the chosen answer (``hits``: the whole pool ranked, ``score`` = the
    ranking's logit). "rank_prob" and "margin" read the listwise ranking as it was trained: the
    softmax of the pool's logits is each passage's probability of being the relevant one."""
    probs = pool_probabilities(hits)[:2]
    cited = hits[cited_rank - 1].passage
    sentence = cited.text[candidate.start:candidate.end]
    at = candidate.span[0] if candidate.span else 0
    clause = sentence[slice(*clause_at(sentence, at))]  # the clause that holds the span
    return np.asarray([
        candidate.score,
        probs[0] if probs else 0.0,
        (probs[0] - probs[1]) if len(probs) > 1 else (probs[0] if probs else 0.0),
        ctx.coverage(f"{cited.title} {cited.section} {cited.text}", analysis),
        ctx.year_score(cited, analysis),
        float(cited_rank),
        1.0 if analysis.qtype in ("how_much", "who", "when", "list") else 0.0,
        1.0 if analysis.qtype in ("what", "which", "plan") else 0.0,
        float(len(analysis.term_groups)),
        ctx.coverage(sentence, analysis),
        ctx.coverage(clause, analysis),
        candidate.features[SENTENCE_FEATURES.index("dense")] if candidate.features else math.nan,
    ], dtype=np.float64)


def pool_probabilities(hits: Sequence[Hit]) -> list[float]:
    """The softmax of the hits' scores (the listwise ranking's logits), in the hits' order."""
    if not hits:
        return []
    scores = np.asarray([h.score for h in hits], dtype=np.float64)
    weights = np.exp(scores - scores.max())
    return (weights / weights.sum()).tolist()


def learned_rerank(hits: Sequence[Hit], x: np.ndarray, model: LearnedModel) -> list[Hit]:
    """``hits`` ordered by the ranking model; ``score`` becomes its logit, ``scores`` gains ``learned``."""
    logits = model.ranking.logit(x) if len(hits) else np.zeros(0)
    order = sorted(range(len(hits)), key=lambda i: (-logits[i], i))
    return [Hit(hits[i].passage, rank, float(logits[i]), {**hits[i].scores, "learned": float(logits[i])})
            for rank, i in enumerate(order, start=1)]
