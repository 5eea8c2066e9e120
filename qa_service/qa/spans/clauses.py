"""The clause of a sentence that holds what was asked, when no span of a shape applies."""
from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from ...lexicon.cues import ANNOUNCES, INTERROGATIVES, QUESTION_CLAUSE_BREAK, WHAT_HEAD
from ..analysis import QueryAnalysis
from ..params import SPAN_WEIGHTS, SpanWeights
from ..signals import ScoringContext

_CLAUSE = re.compile(r"[^，,：:]*[，,：:]?")


@lru_cache(maxsize=256)  # one question, every sentence of its passages: worked out once
def _asked_part(analysis: QueryAnalysis) -> QueryAnalysis:
    """The question without its premise: when clauses before the one that asks (面对…洪水，
    四平实现了怎样的防汛成效) state what is given, the answer is about the asking clause's words,
    and a sentence clause that repeats the premise is no answer."""
    clauses = [c for c in QUESTION_CLAUSE_BREAK.split(analysis.question) if c.strip()]
    asking = next((i for i, c in enumerate(clauses) if INTERROGATIVES.search(c)), 0)
    if asking == 0:
        return analysis
    focus = clauses[asking].lower()
    def asked(groups):
        return tuple(g for g in groups if any(w.lower() in focus for w in g))

    return dataclasses.replace(analysis, term_groups=asked(analysis.term_groups),
                               predicates=asked(analysis.predicates))


@lru_cache(maxsize=256)  # read for every passage and clause sentence of one question
def asked_verb(analysis: QueryAnalysis) -> str:
    """The question's last verb before its question word: what is asked is that verb's object
    (形成了怎样的局面 → 形成), so the answer is the clause that has it. "" when there is none."""
    asking = INTERROGATIVES.search(analysis.question)
    if asking is None:
        return ""
    before = QUESTION_CLAUSE_BREAK.split(analysis.question[:asking.start()].lower())[-1]  # the asking clause
    found = [(before.rfind(w), w) for (w, *_) in analysis.predicates if w in before]
    return max(found)[1] if found else ""


def pick_clause(sentence: str, analysis: QueryAnalysis, ctx: ScoringContext, *,
                weights: SpanWeights = SPAN_WEIGHTS) -> tuple[int, int] | None:
    """The clause (between commas) that covers most of the question; ties go to the later one,
    which is where Chinese puts the new information. A clause naming the kind of thing asked for
    (要打造什么城 → …换热器城) wins over one that only repeats the question. A clause that
    announces what follows with a colon (…存在不少老问题：…) gives way to what follows it."""
    head = WHAT_HEAD.search(analysis.question)
    head_char = head.group(1)[-1] if head else ""
    question = analysis.question
    verb = asked_verb(analysis)
    analysis = _asked_part(analysis)
    best, best_score = None, -1.0
    for m in _CLAUSE.finditer(sentence):
        start, end = m.span()
        text = sentence[start:end].rstrip("，,：:")
        if len(text.strip()) < 2:
            continue
        score = ctx.coverage(text, analysis, predicates=True)
        if head_char and any(ch == head_char and ch not in question[:head.start()] for ch in text):
            score += weights.asked_kind
        if verb and verb in text.lower():
            score += weights.asked_verb
        if score >= best_score:
            best, best_score = (start, start + len(text)), score
    if best is not None:
        announced = ANNOUNCES.match(sentence, best[1])
        rest = sentence[announced.end():].rstrip("。；;！？!? ") if announced else ""
        if len(rest.strip()) >= 2:
            return announced.end() + len(rest) - len(rest.lstrip()), announced.end() + len(rest)
    return best
