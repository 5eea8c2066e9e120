"""JSON at the edge: turn the service's dataclasses into the JSON contract of `POST /api/ask`."""
from __future__ import annotations

from ..types import Answer, AnswerSpan, Hit, Passage


def _round(value: float) -> float:
    return round(float(value), 4)


def passage_to_dict(p: Passage) -> dict:
    return {
        "passage_id": p.passage_id,
        "doc_id": p.doc_id,
        "title": p.title,
        "date": p.date,
        "paragraph": p.paragraph,
        "part": p.part,
        "section": p.section,
        "text": p.text,
        "source": {"file": p.source_file, "start": p.start, "end": p.end},
    }


def hit_to_dict(hit: Hit, highlights) -> dict:
    body = passage_to_dict(hit.passage)
    return {
        "rank": hit.rank,
        **body,
        "score": _round(hit.score),
        "scores": {k: _round(v) for k, v in hit.scores.items()},
        "highlights": [list(h) for h in highlights],
    }


def span_to_dict(span: AnswerSpan | None) -> dict | None:
    if span is None:
        return None
    return {
        "text": span.text,
        "span": span.span,
        "passage_id": span.passage_id,
        "citation": span.citation,
        "highlight": [span.span_start, span.span_end] if span.span else [span.sentence_start, span.sentence_end],
    }


def answer_to_dict(answer: Answer) -> dict:
    """The ``POST /api/ask`` response body (also printed by ``qa-service ask --json``)."""
    analysis = answer.analysis
    body = {
        "question": answer.question,
        "abstained": answer.abstained,
        "answer": span_to_dict(answer.answer),
        "passages": [hit_to_dict(h, answer.highlights.get(h.passage.passage_id, ())) for h in answer.hits],
        "took_ms": round(answer.took_ms, 2),
    }
    if answer.parts:
        # ``answer`` is the first part the corpus answers; every part, missing ones too, in ``parts``
        body["parts"] = [{"label": p.label, "missing": p.answer is None, "answer": span_to_dict(p.answer)}
                         for p in answer.parts]
    rewrites = getattr(analysis, "rewrites", ())
    if rewrites:
        body["rewrites"] = [{"from": r.original, "to": r.replacement, "reason": r.reason} for r in rewrites]
    return body
