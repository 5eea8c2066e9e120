"""The clause of a sentence that holds what was asked, when no span of a shape applies."""
from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from typing import Sequence

import numpy as np

from ...corpus.sentences import answer_clauses
from ...lexicon.cues import (ABSTRACT_KIND, ANNOUNCES, CONDITION, CONSEQUENCE, CORRELATIVE_FIRST, CORRELATIVE_SECOND,
                              ENUMERATION_CLOSER, INTERROGATIVES, MANNER_OR_REASON, PARALLEL_LEAD, PARALLEL_OPENING,
                              QUESTION_CLAUSE_BREAK, WHAT_HEAD)
from ...lexicon.patterns import figures
from ..analysis import QueryAnalysis
from ..params import SPAN_WEIGHTS, SpanWeights
from ..signals import ScoringContext


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


def clause_scores(sentence: str, analysis: QueryAnalysis, ctx: ScoringContext, *,
                  weights: SpanWeights = SPAN_WEIGHTS) -> list[tuple[tuple[int, int], float]]:
    """Each clause of the sentence (``answer_clauses``) with its fit to the question: how much of
    the question it covers, more for naming the kind of thing asked for (要打造什么城 → …换热器城)
    or having the verb whose object is asked (要坚决避免什么 → 避免…)."""
    head = WHAT_HEAD.search(analysis.question)
    # a kind its things are not named by (什么措施, 哪个项目: ``ABSTRACT_KIND``) marks no clause
    head_char = head.group(1)[-1] if head and not ABSTRACT_KIND.search(head.group(1)) else ""
    question = analysis.question
    before = question[:head.start()] if head else ""
    if not head and not analysis.interrogative:  # a keyword query names the kind asked for last
        last = _last_keyword(analysis)
        if last:
            head_char, before = last[-1], question[:question.lower().rfind(last)]
    verb = asked_verb(analysis)
    analysis = _asked_part(analysis)
    out = []
    for start, end in answer_clauses(sentence):
        text = sentence[start:end]
        score = ctx.coverage(text, analysis, predicates=True)
        if head_char and any(ch == head_char and ch not in before for ch in text):
            score += weights.asked_kind
        if verb and verb in text.lower():
            score += weights.asked_verb
        out.append(((start, end), score))
    return out


def _last_keyword(analysis: QueryAnalysis) -> str:
    """The keyword query's last concept word of two characters or more (四平 … 领导干部 机制 → 机制)."""
    lowered = analysis.question.lower()
    found = [(lowered.rfind(w.lower()), w.lower()) for g in analysis.term_groups for w in g
             if len(w) >= 2 and w.lower() in lowered]
    return max(found)[1] if found else ""


def best_clause(scores: Sequence[float], similarity: np.ndarray | None, weight: float) -> int:
    """The index of the best clause: by ``scores``, plus ``weight`` times how much less near the
    question's vector the clause is than the nearest one (``similarity``: cosines, or None);
    ties go to the later clause, where Chinese puts the new information."""
    total = np.asarray(scores, dtype=np.float64)
    if similarity is not None and weight:
        total = total + weight * (np.asarray(similarity, dtype=np.float64) - float(np.max(similarity)))
    return len(total) - 1 - int(np.argmax(total[::-1]))


def pick_clause(sentence: str, analysis: QueryAnalysis, ctx: ScoringContext, *,
                weights: SpanWeights = SPAN_WEIGHTS, similarity: np.ndarray | None = None) -> tuple[int, int] | None:
    """The clause that fits the question best (``clause_scores``, ``best_clause``). A clause that
    announces what follows with a colon (…存在不少老问题：…) gives way to what follows it.
    ``similarity``: each clause's cosine with the question's vector (``answer_clauses`` order),
    weighed by the learned ``ScoringContext.clause_dense`` (an English question's words are
    glossed, its meaning is not)."""
    scored = clause_scores(sentence, analysis, ctx, weights=weights)
    condition = _condition(sentence, scored, analysis.question)
    if condition is not None:
        return condition
    # a clause the question says word for word tells nothing it did not (为什么要坚持把党的领导作为…
    # 根本保证 → 要坚持把党的领导作为…根本保证): it is no answer while another clause may be; to a
    # question of how or why, the clauses after it are the answer
    question = _NOT_WORDS.sub("", analysis.question)
    restated = [_restated(sentence[start:end], question) for (start, end), _ in scored]
    if any(restated):
        last = len(restated) - 1 - restated[::-1].index(True)
        if last + 1 < len(scored) and MANNER_OR_REASON.search(analysis.question):
            return scored[last + 1][0][0], scored[-1][0][1]
        if not all(restated):
            keep = np.asarray([not r for r in restated])
            usable = similarity is not None and len(similarity) == len(scored)
            similarity = similarity[keep] if usable else None
            scored = [c for c, k in zip(scored, keep) if k]
    if not scored:
        return None
    usable = similarity is not None and len(similarity) == len(scored)
    index = best_clause([s for _, s in scored], similarity if usable else None, ctx.clause_dense[1 if analysis.asked else 0])
    spans = [span for span, _ in scored]
    if index and ENUMERATION_CLOSER.fullmatch(sentence, *spans[index]):
        return spans[0][0], spans[index - 1][1]  # the enumeration it closes
    best = _with_its_run(sentence, spans, index, _with_its_pair(sentence, spans, index))
    announced = ANNOUNCES.match(sentence, best[1])
    rest = sentence[announced.end():].rstrip("。；;！？!? ") if announced else ""
    if len(rest.strip()) >= 2:
        return announced.end() + len(rest) - len(rest.lstrip()), announced.end() + len(rest)
    return best


def _condition(sentence: str, scored: Sequence[tuple[tuple[int, int], float]], question: str
               ) -> tuple[int, int] | None:
    """To a question that asks the condition of a consequence (怎样才能…: ``CONSEQUENCE`` after a
    question word), the clauses before the sentence's consequence clause that fits the question
    best, from the one that opens with ``CONDITION`` (只有, 唯有) if any; None when the question
    asks no condition or the sentence states none."""
    asked = CONSEQUENCE.search(question)
    if asked is None or not INTERROGATIVES.search(question, 0, asked.start()):
        return None
    consequences = [i for i, ((start, _), _) in enumerate(scored) if i and CONSEQUENCE.match(sentence, start)]
    if not consequences:
        return None
    then = max(consequences, key=lambda i: (scored[i][1], -i))
    first = next((i for i in range(then - 1, -1, -1) if CONDITION.match(sentence, scored[i][0][0])), then - 1)
    return scored[first][0][0], scored[then - 1][0][1]


_NOT_WORDS = re.compile(r"[\W_]+")  # spaces, punctuation and quotation marks


def _restated(clause: str, question: str) -> bool:
    """Whether ``question`` (its words only: ``_NOT_WORDS`` taken out) contains the clause word for
    word (punctuation and quotes aside), and the clause is more than a word or two (four characters)."""
    words = _NOT_WORDS.sub("", clause)
    return len(words) >= 4 and words in question


def _with_its_run(sentence: str, clauses: Sequence[tuple[int, int]], index: int, span: tuple[int, int]
                  ) -> tuple[int, int]:
    """``span`` (clause ``index`` or more) widened to the clauses in parallel with that clause, the
    adjacent ones that open with the same word (``PARALLEL_OPENING``, ``PARALLEL_LEAD``). Not when
    the clause gives a figure: figures in parallel are each their own fact (老旧供热管网31.9公里，
    老旧燃气管网10.68公里)."""
    if figures(sentence[clauses[index][0]:clauses[index][1]]):
        return span
    def parallel(i: int) -> bool:  # clauses i and i + 1 open alike
        if not (0 <= i and i + 1 < len(clauses)):
            return False
        opening = sentence[clauses[i + 1][0]:clauses[i + 1][0] + PARALLEL_OPENING].strip()
        lead = sentence[clauses[i][0]:clauses[i][0] + PARALLEL_LEAD + PARALLEL_OPENING]
        return len(opening) == PARALLEL_OPENING and opening in lead

    first = last = index
    while parallel(first - 1):
        first -= 1
    while parallel(last):
        last += 1
    return min(span[0], clauses[first][0]), max(span[1], clauses[last][1])


def _with_its_pair(sentence: str, clauses: Sequence[tuple[int, int]], index: int) -> tuple[int, int]:
    """Clause ``index``, joined with the clause its paired conjunction points to: the one before
    when it opens with the second (也要有…) and that one with the first (既要有…), or the one after
    in the opposite case (``CORRELATIVE_FIRST``, ``CORRELATIVE_SECOND``)."""
    start, end = clauses[index]
    opens = lambda i, pattern: 0 <= i < len(clauses) and bool(pattern.match(sentence, clauses[i][0]))
    if opens(index, CORRELATIVE_SECOND) and opens(index - 1, CORRELATIVE_FIRST):
        return clauses[index - 1][0], end
    if opens(index, CORRELATIVE_FIRST) and opens(index + 1, CORRELATIVE_SECOND):
        return start, clauses[index + 1][1]
    return start, end
