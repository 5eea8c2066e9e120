"""Key spans inside an answer sentence, by the kind of answer asked for.

Every span is a ``(start, end)`` pair of offsets into the sentence; nothing is rewritten.
"""
from __future__ import annotations

import numpy as np

from ..analysis import QueryAnalysis
from ..signals import ScoringContext
from .clauses import pick_clause
from .figures import figure_candidates, pick_figure, score_figures
from .lists import asked_ordinal, enumeration_number, list_count, list_head, list_items, names_kind, pick_list
from .names import pick_date, pick_level, pick_name

__all__ = ["asked_ordinal", "enumeration_number", "figure_candidates", "find_span", "list_count", "list_head",
           "list_items", "names_kind", "pick_clause", "pick_date", "pick_figure", "pick_level", "pick_list", "pick_name",
           "score_figures"]


def find_span(sentence: str, analysis: QueryAnalysis, ctx: ScoringContext, *,
              clause_similarity: np.ndarray | None = None) -> tuple[tuple[int, int] | None, bool]:
    """(key span, whether it has the shape asked for); the clause is the fallback span
    (``clause_similarity``: its clauses' cosines with the question, ``pick_clause``)."""
    shaped = None
    if analysis.qtype == "how_much":
        shaped = pick_level(sentence) if analysis.unit == "level" else pick_figure(sentence, analysis, ctx)
    elif analysis.qtype == "who":
        shaped = pick_name(sentence, analysis)
    elif analysis.qtype == "when":
        shaped = pick_date(sentence)
    elif analysis.qtype == "list":
        shaped = pick_list(sentence, analysis.question,
                           fit=lambda clause: ctx.coverage(clause, analysis, predicates=True))
    if shaped is not None:
        return shaped, True
    return pick_clause(sentence, analysis, ctx, similarity=clause_similarity), False
