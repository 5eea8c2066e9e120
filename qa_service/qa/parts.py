"""Comparison and multi-part questions cut into one question per part.

``2022年和2024年四平GDP各是多少`` asks two questions, ``2022年四平GDP是多少`` and
``2024年四平GDP是多少``; ``2025年四平农业总产值和粮食产量分别是多少`` two more, one per
metric. Each part is answered on its own (so each gets its own year filter, unit and citation);
a part the corpus cannot answer is reported missing rather than dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexicon.cues import (CONJUNCTIONS, EACH, INTERROGATIVES, JOINING, MONTH_RANGE, PERIODS, PHRASE_BOUNDARY,
                            PLAN_IN_QUESTION, QUESTION_CLAUSE_BREAK, RESULT_MODAL)
from ..lexicon.patterns import ASKED_MEASURE, HAN, YEAR_IN_TEXT
from ..search.tokenizer import content_words

_RESULT_WORDS = tuple(sorted(RESULT_MODAL))  # what a result is called, as plan words name a target: no subject
_PERIOD = "|".join(sorted(PERIODS, key=len, reverse=True))
# One time expression: a year with an optional period or month range (2023年上半年, 2024年1至7月).
_TIME = rf"(?:19|20)\d{{2}}\s*年?\s*(?:{_PERIOD}|{MONTH_RANGE})?"
_ONE_TIME = re.compile(_TIME)
# A compared time may say whether its figure is a target or a result (2023年计划和2024年实际): the
# word goes with its part.
_LABEL = rf"{_TIME}(?:{PLAN_IN_QUESTION.pattern}|{'|'.join(_RESULT_WORDS)})?"
_TIMES = re.compile(rf"{_LABEL}(?:\s*{CONJUNCTIONS}\s*{_LABEL})+")
_ONE_LABEL = re.compile(_LABEL)
_SPLIT = re.compile(CONJUNCTIONS)
_COMMA = re.compile(r"[，,]")
_JOIN = re.compile(JOINING)
_TOPIC = re.compile(r"^([^：:，,；;]{2,})[：:]")  # 老旧供热管网改造：…
_WHEN = re.compile(rf"{_TIME}|{_PERIOD}")
_THIS = re.compile(r"这个|这一|这项|这些|该")  # a later clause pointing back at what the first named
_FURTHER = "又"  # 2023年上半年又是多少: a further question
_TRAILING = re.compile(r"[的是了为有在\s]+$")  # what is left of 粮食播种面积的目标是 once 目标 is gone
# What the parts of a metric comparison share and is not part of the metric: years, the place.
_CONTEXT = re.compile(rf"^(?:{_TIME}|四平市?|全市|我市|吉林省?)*")


@dataclass(frozen=True)
class Part:
    label: str  # verbatim from the question: 2022年, 粮食产量
    question: str  # the question this part asks on its own


def _drop_each(text: str) -> str:
    return EACH.sub("", text, count=1)


def split_parts(question: str) -> list[Part]:
    """The parts of a comparison (two or more), or [] for an ordinary question."""
    times = _TIMES.search(question)
    if times:
        labels = [m.group(0).strip() for m in _ONE_LABEL.finditer(times.group(0))]
        if len(set(labels)) >= 2:
            before, after = question[:times.start()], _drop_each(question[times.end():])
            return [Part(label, f"{before}{label}{after}") for label in labels]
    clauses = _asked_clauses(question)
    if clauses:
        return clauses
    each = EACH.search(question)
    if not each:
        return []
    head, tail = question[:each.start()], question[each.end():]
    context = _CONTEXT.match(head).group(0)
    named = head[len(context):].rstrip("，, ")  # …种子企业，各点名了哪些: no empty last clause
    *leading, last = _COMMA.split(named)
    attribute = ""
    if leading and _joined(last) >= 2:
        # the things compared are joined in the clause before 分别 (经济领域改革和社会领域改革);
        # the clauses before it set the scene for each (八届六次全会部署的改革里，…)
        context, named = context + "".join(leading), last
    elif leading and _joined(leading[-1]) >= 2:
        # or in the clause before that, and the clause before 分别 says what is asked of each
        # (四平电厂和双辽电厂项目，规模分别是多少千瓦: the 规模 of each, not a third thing)
        context, named, attribute = context + "".join(leading[:-1]), leading[-1], f"，{last}"
    pieces = [p.strip() for p in _SPLIT.split(named) if p.strip()]
    if len(pieces) < 2 or any(len(p) < 2 for p in pieces):
        return []
    # a modifier before the first thing named is said once for all (“十五五”要建设的活力之城和美丽之城:
    # the 美丽之城 to be built too), unless a later thing has a modifier of its own
    modifier = pieces[0][:pieces[0].rfind("的") + 1]
    return [Part(piece, f"{context}{modifier if i and '的' not in piece else ''}{piece}{attribute}{tail}")
            for i, piece in enumerate(pieces)]


def _joined(clause: str) -> int:
    """How many things a clause joins with 和/与/及… (经济领域改革和社会领域改革 → 2)."""
    return len([p for p in _JOIN.split(clause) if p.strip()])


def _asked_clauses(question: str) -> list[Part]:
    """Two or more questions in one: clauses that each ask, every later one about its own time or
    marked as a further question by 又 (2023年…目标是多少，上半年实际播了多少; 四平经济增速：2022年
    全年预计是多少，2023年上半年又是多少; 2023年社零额预期增长多少，财政收入又要增长多少). A topic
    before a colon, or in leading clauses that ask nothing (“美丽农村路”的乡镇覆盖率，2022年是多少？
    2024年又是多少), is shared by every clause. Otherwise a later clause with a subject of its own
    (财政收入) shares the first clause's time and place; one without (上半年实际播了多少) shares what
    the first asks about: its words before the question word, less plan words. Either way less
    the first clause's time when the clause names its own year."""
    topic, body = "", question
    colon = _TOPIC.match(question)
    if colon:
        topic, body = colon.group(1), question[colon.end():]
    clauses = [c.strip() for c in QUESTION_CLAUSE_BREAK.split(body) if c.strip()]
    if not topic:  # leading clauses that ask nothing state the topic, as one before a colon does
        asking = next((i for i, c in enumerate(clauses) if INTERROGATIVES.search(c)), 0)
        topic, clauses = "".join(clauses[:asking]), clauses[asking:]
    if len(clauses) < 2 or not all(INTERROGATIVES.search(c) for c in clauses):
        return []
    further = [bool(_WHEN.search(c)) or _FURTHER in c for c in clauses[1:]]
    if not all(further) or not (_WHEN.search(clauses[0]) or any(_FURTHER in c for c in clauses[1:])):
        return []
    first = clauses[0]
    # what the first clause asks about: its words less the question word (and its classifier) and
    # plan words (给多少名残疾人做了精准康复服务 → 给残疾人做了精准康复服务)
    asking = INTERROGATIVES.search(first)
    rest = ASKED_MEASURE.sub("", first[asking.end():], count=1)
    about = _TRAILING.sub("", PLAN_IN_QUESTION.sub("", first[:asking.start()] + rest))
    setting = _CONTEXT.match(first).group(0)  # its leading time and place: 2024年四平
    parts = []
    for i, clause in enumerate(clauses):
        if topic:
            asked = f"{topic}{clause}"
        elif i == 0:
            asked = clause
        else:
            resolved = _resolve_this(clause, first)  # names its subject now, if it pointed back
            shared = setting if resolved != clause or _has_subject(clause, first) else about
            asked = f"{_ONE_TIME.sub('', shared) if YEAR_IN_TEXT.search(clause) else shared}{resolved}"
        parts.append(Part(clause, asked))
    return parts


def _resolve_this(clause: str, first: str) -> str:
    """A later clause's 这个/这项/该 + noun read as the first clause's noun phrase of that head (…对市综合
    养老示范中心是怎么安排的？到2024年这个中心运行得怎么样 → 市综合养老示范中心运行得怎么样): the
    head is the longest start of what follows the demonstrative that the first clause has, and the
    phrase runs back from its last mention to the nearest preposition, particle or year
    (``PHRASE_BOUNDARY``)."""
    m = _THIS.search(clause)
    if not m:
        return clause
    after = clause[m.end():]
    head = next((after[:n] for n in range(min(len(after), 6), 0, -1) if after[:n] in first), "")
    if not head or not all(HAN.match(c) for c in head):
        return clause
    end = first.rindex(head) + len(head)
    begin = max((b.end() for b in PHRASE_BOUNDARY.finditer(first, 0, end - len(head))), default=0)
    return clause[:m.start()] + first[begin:end] + after[len(head):]


def _has_subject(clause: str, first: str) -> bool:
    """Whether a clause names what it asks about (财政收入又要增长多少), not only when and how
    (上半年实际播了多少亩): a content word of two or more characters besides years, periods, plan
    and result words, and besides the ``first`` clause's words (…做了精准康复服务？2023年计划服务
    多少人: 服务 repeats what the first asks about, it names nothing new)."""
    return any(len(w) >= 2 and not w.isdigit() and w not in PERIODS and not PLAN_IN_QUESTION.fullmatch(w)
               and w not in _RESULT_WORDS and w not in first for w in content_words(clause))
