"""Comparison and multi-part questions cut into one question per part.

``2022年和2024年四平GDP各是多少`` asks two questions, ``2022年四平GDP是多少`` and
``2024年四平GDP是多少``; ``2025年四平农业总产值和粮食产量分别是多少`` two more, one per
metric. Each part is answered on its own (so each gets its own year filter, unit and citation);
a part the corpus cannot answer is reported missing rather than dropped.

A question asked in English is cut in English (``english_parts``), since its Chinese gloss keeps
no "and": joined times (in 2022 and 2024), joined questions (…, and how many people …), "How did
A compare with B", and things asked "each" or "respectively" of. ``question_parts`` chooses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexicon.cues import (CONJUNCTIONS, CONNECTIVE_CLAUSE, EACH, ENGLISH_COMPARED, ENGLISH_EACH, ENGLISH_FUNCTION_WORDS, ENGLISH_PERIOD_BEFORE_YEAR,
                            ENGLISH_HEDGE, ENGLISH_PLAN_OR_RESULT,
                            ENGLISH_PREPOSITIONS, ENGLISH_TIME_PREPOSITION, ENGLISH_VERB_AFTER_NOUN, ENGLISH_WH,
                            INTERROGATIVES, JOINING, MONTH_RANGE, PERIODS, PHRASE_BOUNDARY, PLAN_IN_QUESTION,
                            QUESTION_CLAUSE_BREAK, RELATIVE_YEAR, RELATIVE_YEARS, RESULT_MODAL, TIMES_COMPARED, WH_WORDS, YEAR_POINTS)
from ..lexicon.patterns import ASKED_MEASURE, HAN, SHORT_YEAR_END, SHORT_YEAR_IN_QUESTION
from ..search.tokenizer import content_words

_RESULT_WORDS = tuple(sorted(RESULT_MODAL))  # what a result is called, as plan words name a target: no subject
_PERIOD = "|".join(sorted(PERIODS, key=len, reverse=True))
# One time expression: a year with an optional period or month range (2023年上半年, 2024年1至7月).
# The year in full, or said the short way before 年 (22年和24年; not 20年来, a span of years).
_YEAR = rf"(?<!\d)(?:(?:19|20)\d{{2}}|\d{{2}}(?=\s*年{SHORT_YEAR_END}))"
# Or a year said relative to the question's date (去年和前年), as the analysis reads it.
_RELATIVE = RELATIVE_YEAR.pattern
_TIME = rf"(?:{_YEAR}\s*年?|{_RELATIVE})\s*(?:{_PERIOD}|{MONTH_RANGE})?"
_ONE_TIME = re.compile(_TIME)
_ONE_YEAR = re.compile(rf"{_YEAR}\s*年|{_RELATIVE}")
_ONE_PERIOD = re.compile(rf"{_PERIOD}|{MONTH_RANGE}")
# A compared time may say whether its figure is a target or a result (2023年计划和2024年实际): the
# word goes with its part.
_LABEL = rf"{_TIME}(?:{PLAN_IN_QUESTION.pattern}|{'|'.join(_RESULT_WORDS)})?"
_TIMES = re.compile(rf"{_LABEL}(?:\s*{TIMES_COMPARED}\s*{_LABEL})+")
_ONE_LABEL = re.compile(_LABEL)
_SPLIT = re.compile(CONJUNCTIONS)
_COMMA = re.compile(r"[，,]")
_JOIN = re.compile(JOINING)
_TOPIC = re.compile(r"^([^：:，,；;]{2,})[：:]")  # 老旧供热管网改造：…
# A clause names a time of its own: a year (2024年, 24年), a period, a month range, a point of the year.
_WHEN = re.compile(rf"{_TIME}|{_PERIOD}|{MONTH_RANGE}|{YEAR_POINTS}")
# A clause that only sets the time of the next one (…总投资是多少？到2024年，…又进展到了哪一步).
_ONLY_TIME = re.compile(rf"(?:到|截至|截止|在|至)?\s*{_TIME}\s*(?:底|末|初)?")
_THIS = re.compile(r"这个|这一|这项|这些|该")  # a later clause pointing back at what the first named
_FURTHER = "又"  # 2023年上半年又是多少: a further question
_TRAILING = re.compile(r"[的是了为有在\s]+$")  # what is left of 粮食播种面积的目标是 once 目标 is gone
# What the parts of a metric comparison share and is not part of the metric: years, the place.
_CONTEXT = re.compile(rf"^(?:{_TIME}|四平市?|全市|我市|吉林省?)*")
# Years a keyword query lists with spaces between them (四平gdp 2023 2024); a range (2023-2024) is one.
_LISTED_YEARS = re.compile(r"(?<![\d\-])(?:19|20)\d{2}(?:\s+(?:19|20)\d{2})+(?![\d\-])")
_FULL_YEAR = re.compile(r"(?:19|20)\d{2}")
# A question word that asks a figure and what it is counted in (多少件, 几个): one asked figure of a
# clause that asks two (看什么、不看什么 asks one contrast, answered by one clause).
_WH_MEASURE = re.compile(rf"(?:多少|几)(?:{ASKED_MEASURE.pattern[1:]})?")


@dataclass(frozen=True)
class Part:
    label: str  # verbatim from the question: 2022年, 粮食产量
    question: str  # the question this part asks on its own


def _drop_each(text: str) -> str:
    return EACH.sub("", text, count=1)


def split_parts(question: str) -> list[Part]:
    """The parts of a comparison (two or more), or [] for an ordinary question."""
    times = _TIMES.search(question) or _LISTED_YEARS.search(question)
    if times:
        labels = [m.group(0).strip() for m in (_ONE_LABEL if _TIMES.match(times.group(0)) else _FULL_YEAR)
                  .finditer(times.group(0))]
        if len(set(labels)) >= 2:
            before, after = question[:times.start()], _drop_each(question[times.end():])
            return [Part(label, f"{before}{label}{after}") for label in labels]
    return _asked_clauses(question) or _asked_of_each(question) or _joined_asks(question)


def _asked_of_each(question: str) -> list[Part]:
    """Things joined before 分别/各 (2025年四平农业总产值和粮食产量分别是多少), each asked what
    follows it."""
    each = EACH.search(question)
    if not each:
        return []
    head, tail = question[:each.start()], question[each.end():]
    context = _CONTEXT.match(head).group(0)
    if _ONE_YEAR.search(head, len(context)):
        # the things name their own years (四平2023年的GDP和2024年的GDP): the first's is its own
        own = [m for m in _ONE_TIME.finditer(context) if m.group(0).strip()]
        if own:
            context = context[:own[-1].start()]
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


def _joined_asks(question: str) -> list[Part]:
    """One clause asking two or more figures, each with a question word of its own, joined by 和
    or 、: question word first (2022年四平办理了多少件人大代表建议和多少件政协提案 → …办理了多少件
    人大代表建议, …办理了多少件政协提案: what comes before the first is said of each), or last
    (开复工5000万元以上项目多少个、计划总投资多少: each a question of its own, the first's time and
    place shared). Labels are the things asked about."""
    text = question.strip().rstrip("？?。 ")
    asks = list(_WH_MEASURE.finditer(text))
    if len(asks) < 2:
        return []
    joins = [m for m in _JOIN.finditer(text) if asks[0].start() < m.start() < asks[-1].start()]
    first_word = all(any(j.end() == a.start() for j in joins) for a in asks[1:])  # …和多少件…
    last_word = all(any(a.end() == j.start() for j in joins) for a in asks[:-1]) and asks[-1].end() == len(text)
    if first_word:
        prefix = text[:asks[0].start()]
        bounds = [a.start() for a in asks] + [len(text)]
        pieces = [text[b:e] for b, e in zip(bounds, bounds[1:])]
        pieces = [p[:-len(j.group(0))] if (j := re.search(rf"{JOINING}$", p)) else p for p in pieces]
        labels = [p[_WH_MEASURE.match(p).end():] for p in pieces]
        if any(len(label) < 2 for label in labels):
            return []
        return [Part(label, f"{prefix}{piece}") for label, piece in zip(labels, pieces)]
    if last_word:
        bounds = [0] + [a.end() for a in asks]
        pieces = [text[b:e] for b, e in zip(bounds, bounds[1:])]
        pieces = [re.sub(rf"^{JOINING}", "", p) for p in pieces]
        setting = _CONTEXT.match(pieces[0]).group(0)
        labels = [_CONTEXT.sub("", p)[:-len(a.group(0))] for p, a in zip(pieces, asks)]
        if any(len(label) < 2 for label in labels):
            return []
        return [Part(label, piece if i == 0 else f"{setting}{piece}") for i, (label, piece) in
                enumerate(zip(labels, pieces))]
    return []


def _joined(clause: str) -> int:
    """How many things a clause joins with 和/与/及… (经济领域改革和社会领域改革 → 2)."""
    return len([p for p in _JOIN.split(clause) if p.strip()])


def _asked_clauses(question: str) -> list[Part]:
    """Two or more questions in one: clauses that each ask, every later one about its own time or
    marked as a further question by 又 (2023年…目标是多少，上半年实际播了多少; 四平经济增速：2022年
    全年预计是多少，2023年上半年又是多少; 2023年社零额预期增长多少，财政收入又要增长多少). A topic
    before a colon, or in leading clauses that ask nothing (“美丽农村路”的乡镇覆盖率，2022年是多少？
    2024年又是多少), is shared by every clause. A later clause with a subject of its own (财政收入)
    after a question mark, or after a comma with a question word of its own (固定资产投资增长多少，
    社会消费品零售总额增长多少), is a question of its own too, and shares the first clause's time
    and place; one without (上半年实际播了多少) shares what
    the first asks about: its words before the question word, less plan words. Either way less
    the first clause's time when the clause names its own year."""
    topic, body = "", question
    colon = _TOPIC.match(question)
    if colon:
        topic, body = colon.group(1), question[colon.end():]
    # each clause with whether a question mark ends the one before it; a clause that only links
    # (相比之下, 此外) is no question
    clauses, asked_apart, after_mark, pending = [], [], False, ""
    for piece, mark in zip(QUESTION_CLAUSE_BREAK.split(body), [*QUESTION_CLAUSE_BREAK.findall(body), ""]):
        text = pending + piece.strip()
        pending = ""
        if _ONLY_TIME.fullmatch(text) and mark not in "？?":  # the time goes with the clause after it
            pending = text
            continue
        asks = bool(text) and not CONNECTIVE_CLAUSE.fullmatch(text)
        if asks:
            clauses.append(text)
            asked_apart.append(after_mark)
        # a linking clause after a question mark leaves the next clause a question of its own
        after_mark = mark in "？?" if asks else after_mark or mark in "？?"
    if not topic:  # leading clauses that ask nothing state the topic, as one before a colon does
        asking = next((i for i, c in enumerate(clauses) if INTERROGATIVES.search(c)), 0)
        topic, clauses, asked_apart = "".join(clauses[:asking]), clauses[asking:], asked_apart[asking:]
    if len(clauses) < 2 or not all(INTERROGATIVES.search(c) for c in clauses):
        return []
    # a later clause asks further when it names its own time, says 又, or is a question of its own
    # about a thing of its own: after a question mark (…多少个项目？化工产值三年内要达到多少呢), or
    # after a comma when it asks for something with a question word of its own (2023年固定资产投资
    # 增长多少，社会消费品零售总额增长多少; not a follow-up: …情况怎么样，出过大事故吗)
    own = [_has_subject(c, clauses[0]) and (apart or bool(WH_WORDS.search(c)))
           for c, apart in zip(clauses[1:], asked_apart[1:])]
    further = [bool(_WHEN.search(c)) or _FURTHER in c or o for c, o in zip(clauses[1:], own)]
    if not all(further) or not (_WHEN.search(clauses[0]) or any(_FURTHER in c for c in clauses[1:]) or any(own)):
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
            asked = _joined_to(topic, clause)
        elif i == 0:
            asked = clause
        else:
            resolved = _resolve_this(clause, first)  # names its subject now, if it pointed back
            shared = setting if resolved != clause or _has_subject(clause, first) else about
            if _ONE_YEAR.search(clause):  # its own year: the first clause's time goes
                shared = _ONE_TIME.sub("", shared)
            elif _WHEN.search(clause):  # its own period within the year: the first clause's period goes
                shared = _ONE_PERIOD.sub("", shared)
            asked = _joined_to(shared, resolved)
        parts.append(Part(clause, asked))
    return parts


def _joined_to(shared: str, clause: str) -> str:
    """``clause`` after what it shares, a comma between when it opens with a year said the short
    way (农村厕所改造，24年实际改了多少个): run on (改造24年), 24年 would read as a span of years."""
    return f"{shared}，{clause}" if shared and SHORT_YEAR_IN_QUESTION.match(clause) else f"{shared}{clause}"


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
               and w not in _RESULT_WORDS and w not in first and w not in RELATIVE_YEARS
               and not INTERROGATIVES.search(w) for w in content_words(clause))


# --- comparisons asked in English ----------------------------------------------------------
# One time: a year, perhaps with its preposition and a period before it (in the first half of
# 2023, by mid-2023, for the whole of 2025).
_EN_TIME = (rf"(?:\b{ENGLISH_TIME_PREPOSITION}\s+)?(?:the\s+)?(?:(?:{ENGLISH_PERIOD_BEFORE_YEAR})(?:\s+of)?[\s\-]+)?"
            r"(?:mid-)?(?:19|20)\d{2}\b")
_EN_ONE_TIME = re.compile(_EN_TIME, re.I)
# Times joined (in 2022 and 2024; 2022, 2023 and 2024; 2023 versus 2024), not a span (between
# 2022 and 2024 is one period).
_EN_TIMES = re.compile(rf"(?<!between\s){_EN_TIME}(?:\s*(?:,\s*(?:{ENGLISH_COMPARED}\s+)?|{ENGLISH_COMPARED}\s+){_EN_TIME})+",
                       re.I)
_EN_PREPOSITION = re.compile(rf"^{ENGLISH_TIME_PREPOSITION}\s+", re.I)
_EN_ASKS = re.compile(rf"\b{ENGLISH_WH}", re.I)
# Where a further question (or the first, after a setting) may begin: "…, and (about) how many
# people …", "…? And what …", "…; which …", "…: how much …", "…, how many …" (a list of questions,
# or a setting before the first; which, who, when and where after a comma open relative clauses).
_EN_HEDGE = rf"(?:{ENGLISH_HEDGE}\s+)?"
_EN_NEXT_QUESTION = re.compile(rf"\s*,?\s+and\s+{_EN_HEDGE}(?={ENGLISH_WH})|\s*[?;:]\s*(?:and\s+)?{_EN_HEDGE}(?={ENGLISH_WH})"
                               rf"|\s*,\s+{_EN_HEDGE}(?=(?:how|what)\b)", re.I)
# "How did A compare with B?", with a setting before it; "<question>, compared with B?"
_EN_COMPARE = re.compile(r"^(?P<setting>(?:[^?]*?[:,]\s+)?)how\s+(?:did|does|do|will|would|has|have|is|was|are|were)\s+"
                         r"(?P<a>.+?)\s+compare\s+(?:with|to|against)\s+(?P<b>[^?]+?)[?.]?$", re.I)
# "Compare A with B": a request, not a question
_EN_COMPARE_REQUEST = re.compile(r"^(?P<setting>(?:[^?]*?[:,]\s+)?)compare\s+(?P<a>.+?)\s+(?:with|to|against)\s+"
                                 r"(?P<b>[^?]+?)[?.]?$", re.I)
_EN_COMPARED_WITH = re.compile(r"^(?P<q>[^?]+?),?\s+(?:compared\s+(?:with|to)|as\s+against|versus|vs\.?)\s+"
                               r"(?P<b>[^,?]+?)[?.]?$", re.I)
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
# Things listed after a colon and asked "each" of in the next sentence: "…two projects: A and B.
# What is the total investment of each?"
_EN_LISTED = re.compile(r"^(?P<context>[^:?]+):\s*(?P<items>[^.?;:]+?)\.\s+(?P<question>[^.]+)$")
_EN_ITEMS = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+", re.I)
_EN_AND = re.compile(r"\s+and\s+", re.I)


def question_parts(asked_in_english: str, question: str) -> list[Part]:
    """The parts the service asks one by one: an English question's cut in English
    (``english_parts``: its gloss keeps no "and"), any other's by ``split_parts``."""
    return english_parts(asked_in_english) if asked_in_english else split_parts(question)


def english_parts(question: str) -> list[Part]:
    """The parts of a comparison asked in English (two or more), or [] for an ordinary question:
    the times it joins (What was Siping's GDP in 2022 and 2024 → … in 2022, … in 2024), the
    questions it joins (By the plenum, how many cases …, and how many people … → each with the
    setting before the first question word), or the things it asks "each" or "respectively" of."""
    text = question.strip()
    return _english_times(text) or _english_compared(text) or _english_questions(text) or _english_each(text)


def _without_each(text: str) -> str:
    return re.sub(r"\s+([?.,])", r"\1", ENGLISH_EACH.sub("", text)).strip()


def _english_times(text: str) -> list[Part]:
    times = _EN_TIMES.search(text)
    if not times:
        return []
    found = [m.group(0) for m in _EN_ONE_TIME.finditer(times.group(0))]
    labels = [_EN_PREPOSITION.sub("", t) for t in found]
    if len(set(labels)) < 2:
        return []
    shared = _EN_PREPOSITION.match(found[0])
    before, after = text[:times.start()], text[times.end():]
    return [Part(label, _without_each(f"{before}{t if _EN_PREPOSITION.match(t) or not shared else shared.group(0) + t}"
                                      f"{after}")) for label, t in zip(labels, found)]


def _has_verb(clause: str) -> bool:
    """Whether a question clause has its verb (how many CPPCC proposals did … handle), not only
    what it asks (how many suggestions from deputies; how much for the first half of 2023)."""
    return any(ENGLISH_VERB_AFTER_NOUN.match(w.lower()) for w in _EN_WORD.findall(clause)[1:])


def _verb_on(clause: str, remnant: str) -> str:
    """A clause from its verb on: what the verbless ``remnant`` beside it shares, up to a
    preposition the remnant has (… assign to investment, and what role to consumption: "to
    consumption" stands for "to investment"), and without its times if the remnant has one."""
    words = list(_EN_WORD.finditer(clause))
    start = next(w.start() for w in words[1:] if ENGLISH_VERB_AFTER_NOUN.match(w.group(0).lower()))
    tail = clause[start:]
    if _EN_ONE_TIME.search(remnant):  # its own time stands for the other's (how much for the first half of 2023)
        tail = _EN_ONE_TIME.sub(" ", tail)
    tail = " ".join(tail.split()).rstrip("?,. ")
    own = {w.lower() for w in _EN_WORD.findall(remnant)[1:]} & ENGLISH_PREPOSITIONS
    cut = next((w.start() for w in _EN_WORD.finditer(tail) if w.group(0).lower() in own), len(tail))
    return tail[:cut].rstrip()


# A question word where a question may begin inside a setting: after a comma or colon.
_EN_QUESTION_START = re.compile(rf"[,:;]\s+(?={ENGLISH_WH})", re.I)


def _asks(clause: str) -> bool:
    """Whether a clause asks: it opens with what, which, who or how, or with when or where
    followed by a verb (when was …); "When it urged …" sets the scene for what follows."""
    words = [w.lower() for w in _EN_WORD.findall(clause)[:2]]
    if not words or not re.fullmatch(ENGLISH_WH, words[0]):
        return False
    return words[0] not in ("when", "where") or (len(words) > 1 and bool(ENGLISH_VERB_AFTER_NOUN.match(words[1])))


def _english_questions(text: str) -> list[Part]:
    """Two or more questions joined (…, and how many …; …? What …; a list, a, b, and c): each
    asked with the setting before the first (By the plenum, …; Old compounds in Siping: …)."""
    breaks = list(_EN_NEXT_QUESTION.finditer(text))
    starts, ends = [0, *(b.end() for b in breaks)], [*(b.start() for b in breaks), len(text)]
    pieces = [(start, text[start:end]) for start, end in zip(starts, ends)]  # each with where it starts
    first = next((i for i, (_, piece) in enumerate(pieces) if _asks(piece)), None)
    if first is None:
        return []
    if first:  # the setting may end in a question the next one is joined to (…, which area is …, and which city …)
        at, piece = pieces[first - 1]
        opening = [m.end() for m in _EN_QUESTION_START.finditer(piece) if _asks(piece[m.end():])]
        if opening:
            pieces[first - 1] = (at + opening[-1], piece[opening[-1]:])
            first -= 1
    setting = text[:pieces[first][0]]
    clauses = [piece.strip(" ,") for _, piece in pieces[first:] if piece.strip(" ,?")]
    # each asks something of its own (not "Where and how does …": one question, two question words)
    if len(clauses) < 2 or not all(_asks(c) for c in clauses) or any(len(_EN_WORD.findall(c)) < 2 for c in clauses):
        return []
    return _asked_each(setting, clauses)


def _asked_each(setting: str, clauses: list[str]) -> list[Part]:
    """One part per question clause, each with the ``setting``: a verbless clause borrows its
    neighbour's verb, a later one that names nothing the first's subject, one without a time the
    first's times; a clause with a time of its own drops the setting's."""
    with_verb = [c for c in clauses if _has_verb(c)]
    if not with_verb:
        return []
    parts = []
    for i, clause in enumerate(clauses):
        asked = clause.rstrip("?. ")
        if not _has_verb(clause):
            asked = f"{asked} {_verb_on(min(with_verb, key=lambda c: abs(clauses.index(c) - i)), clause)}"
        own_time = bool(_EN_ONE_TIME.search(clause))
        named = _content_words(clauses[0])
        if i and named and all(ENGLISH_PLAN_OR_RESULT.fullmatch(w) for w in _content_words(clause)):
            # names nothing but a target or result (and what was the target): the first's
            asked = f"{asked} ({' '.join(named)})"
        if i and not own_time:  # a later question without a time of its own is asked of the first's
            asked = " ".join([asked, *(m.group(0) for m in _EN_ONE_TIME.finditer(clauses[0]))])
        shared = " ".join(_EN_ONE_TIME.sub(" ", setting).split()) + " " if own_time else setting
        parts.append(Part(clause.rstrip("?. "), _without_each(f"{shared}{asked}?")))
    return parts


def _english_compared(text: str) -> list[Part]:
    """"How did A compare with B?", "Compare A with B" and "<question>, compared with B?": what A
    is, and what B is, B with A's words it lacks (the growth forecast for 2025 is a forecast of A's
    imports and exports), less A's words of plan or result (B's own say which it is). A said as
    a question (Compare what the plenum said … with …) is asked as it is."""
    m = _EN_COMPARE.match(text) or _EN_COMPARE_REQUEST.match(text)
    if m:
        setting, first, second = m.group("setting"), m.group("a").strip(), m.group("b").strip()
        asked = f"{setting}{first}?" if _asks(first) else f"{setting}what was {first}?"
    else:
        m = _EN_COMPARED_WITH.match(text)
        if not m:
            return []
        question, second = m.group("q").strip(), m.group("b").strip()
        opening = next((s.start() for s in _EN_ASKS.finditer(question) if _asks(question[s.start():])), None)
        if opening is None:
            return []
        setting, first, asked = question[:opening], question[opening:], f"{question}?"
    own = {w.lower() for w in _EN_WORD.findall(second)}
    lent = [w for w in _content_words(first) if w.lower() not in own and not ENGLISH_PLAN_OR_RESULT.fullmatch(w)]
    said = f"{second}{' (' + ' '.join(lent) + ')' if lent else ''}"
    return [Part(first, asked), Part(second, f"{setting}{said}?" if _asks(second) else f"{setting}what was {said}?")]


def _content_words(clause: str) -> list[str]:
    """A clause's words that name something: not function words, not its times."""
    return [w for w in _EN_WORD.findall(_EN_ONE_TIME.sub(" ", clause)) if w.lower() not in ENGLISH_FUNCTION_WORDS]


def _english_each(text: str) -> list[Part]:
    each = ENGLISH_EACH.search(text)
    if not each or each.group(0).strip().lower() == "both":
        return []
    listed = _EN_LISTED.match(text)
    if listed and ENGLISH_EACH.search(listed.group("question")):
        items = [i.strip() for i in _EN_ITEMS.split(listed.group("items")) if i.strip()]
        if len(items) >= 2:
            context, question = listed.group("context").strip(), _without_each(listed.group("question"))
            return [Part(item, f"{context}: {item}. {question}") for item in items]
    # inline: "… of A and B (, in 2023,) respectively": A runs back from "and" to a preposition,
    # B forward to a comma, a preposition or the marker
    head = text[:each.start()]
    joins = list(_EN_AND.finditer(head))
    if not joins:
        return []
    join = joins[-1]
    # A begins after a preposition, a possessive or the verb (of A and B; Siping's A and B; were A and B)
    words = list(_EN_WORD.finditer(head, 0, join.start()))
    opening = next((w for w in reversed(words) if w.group(0).lower() in ENGLISH_PREPOSITIONS
                    or w.group(0).lower().endswith(("'s", "’s")) or ENGLISH_VERB_AFTER_NOUN.match(w.group(0).lower())),
                   None)
    if opening is None:
        return []
    right = head[join.end():]
    stop = re.search(r"\s*,|\s+(?:" + "|".join(sorted(ENGLISH_PREPOSITIONS, key=len, reverse=True)) + r")\b", right)
    second, rest = (right[:stop.start()], right[stop.start():]) if stop else (right, "")
    items = [head[opening.end():join.start()].strip(), second.strip()]
    if any(not i or any(ENGLISH_VERB_AFTER_NOUN.match(w.lower()) for w in _EN_WORD.findall(i)) for i in items):
        return []
    return [Part(item, _without_each(f"{head[:opening.end()]} {item}{rest}{text[each.end():]}")) for item in items]

