"""Key spans inside an answer sentence: the figure with the unit asked for, a rank, a date, a
person's name after the asked title, an enumeration of the asked kind, or the best clause.

Every span is a ``(start, end)`` pair of offsets into the sentence; nothing is rewritten.
"""
from __future__ import annotations

import re

from .query import QueryAnalysis
from .retrieve import coverage

_NUMBER = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十两百千]+(?=[万亿]?(?:斤|吨|元|亩|年|个|人)(?!级)))"
_QUALIFIER = r"(?:左右|以上|以内|以下|余|多)?"
_PREFIX = r"(?:不超过|超过|不少于|至少|近|约|逾)?"
_UNITS = {
    "percent": r"(?:%|‰|倍|个百分点)",
    "points": r"(?:个百分点)",
    "money": r"(?:[万亿千百]*(?:元|美元))",
    "people": r"(?:[万千]?(?:人|名)(?!次))",
    "visits": r"(?:[万亿]?人次)",
    "area": r"(?:[万]?亩|平方公里|平方米)",
    "grain": r"(?:[万亿]?(?:斤|公斤|吨))",
    "length": r"(?:公里|千米|米)",
    "flow": r"(?:立方米每秒|立方米)",
    "duration": r"(?:年|个月|天|小时|日)",
    "count": r"(?:[万千]?(?:个|项|件|座|条|家|户|所|次|场|套|笔|宗|头|只|辆|处|批|类|村|期|起|名))",
}
_ANY_UNIT = "(?:" + "|".join(_UNITS.values()) + r"|[万亿]+)"
_APPROX = r"(?:[万亿]?(?:余|多))?"  # 12000余人, 17万余件
FIGURE = re.compile(rf"{_PREFIX}(?:连续)?{_NUMBER}\s*{_APPROX}{_ANY_UNIT}(?!级){_QUALIFIER}|[一二三四五六七八九十\d]+连[丰冠胜增]")
STREAK = re.compile(r"[一二三四五六七八九十\d]+连[丰冠胜增]")
LEVEL = re.compile(r"(?:国家|省|市|县)?[一二三四五六七八九十\d]级[\u4e00-\u9fff]{0,4}|(?:国家|省|市|县)级")
RANK = re.compile(r"(?:全省|全国|东北|全市)?(?:第[一二三四五六七八九十\d]+(?:名|位)?|唯一|首位)")
DATE = re.compile(r"(?:\d{4}\s*年)?\d{1,2}\s*月\d{1,2}\s*日|\d{4}\s*年\d{1,2}\s*月")
_TITLES = r"(?:市委书记|书记|市长|副市长|主任|局长|部长|记者|通讯员|主席|总经理|董事长)"
_NAME_END = r"(?=受|代表|作|表示|主持|指出|强调|说|在|，|、|）|\)|\s|$)"
_NAME = re.compile(rf"{_TITLES}[、，\s]*([\u4e00-\u9fff]{{2,3}}?){_NAME_END}")
_TITLE = re.compile(_TITLES)
_LIST = re.compile(r"[“「]?[\u4e00-\u9fff]{2,12}[”」]?(?:、[“「]?[\u4e00-\u9fff]{2,12}[”」]?){2,}")
_PREDICATE = re.compile(r"[的了最很更着过得]")
_LIST_TAIL = re.compile(r"[^，,。；;：:！？、]{0,12}")
_LEADING_VERB = re.compile(r"^(?:建设|做大做强|做强|打造|发展|实施|推进|培育|聚焦|包括|围绕|建成|形成|加快|紧扣)")

_CLAUSE = re.compile(r"[^，,：:]*[，,：:]?")









def _anchor_ends(sentence: str, analysis: QueryAnalysis) -> list[int]:
    lowered = sentence.lower()
    ends = []
    for group in analysis.term_groups:
        for word in group:
            for m in re.finditer(re.escape(word.lower()), lowered):
                ends.append(m.end())
    return ends


_FIGURE_CLAUSE = re.compile(r"[^，,；;：:、]*[，,；;：:、]?")
_CLASSIFIER = re.compile(r"(?:多少|几)([个项件座条家户所次场套笔宗头只辆处批起名亩斤吨人])")
_MONEY_WORDS = re.compile(r"钱|元|资金|投资|金额|收入|产值|总值|营收|贷款|余额|补贴|税收|GDP|经济总量", re.I)


def figure_candidates(sentence: str, analysis: QueryAnalysis) -> list[tuple[int, int]]:
    """Figures (or ranks) of the kind the question asks for; figures quoted in it excluded."""
    if analysis.unit == "rank":
        return [m.span() for m in RANK.finditer(sentence)]
    if analysis.unit == "streak":
        return [m.span() for m in STREAK.finditer(sentence)]
    in_question = {re.sub(r"\s", "", f) for f in FIGURE.findall(analysis.question)}
    spans = [m.span() for m in FIGURE.finditer(sentence)
             if re.sub(r"\s", "", m.group(0)) not in in_question
             and not sentence[:m.start()].endswith("第")]  # 第5名 is a rank, not a count
    if analysis.unit in _UNITS:
        unit = re.compile(rf"{_NUMBER}\s*{_APPROX}{_UNITS[analysis.unit]}")
        spans = [s for s in spans if unit.search(sentence[s[0]:s[1]])]
        if analysis.unit == "money":  # "5000万元以上项目" names a project size, not an amount
            spans = [s for s in spans if not re.match(r"\s*以上项目", sentence[s[1]:s[1] + 5])]
    return spans


def score_figures(sentence: str, analysis: QueryAnalysis, doc_freq, n: int) -> list[tuple[float, tuple[int, int]]]:
    """Each candidate figure scored by how much of the question its own clause covers
    (总投资80亿元的智算中心产业园 → 80亿元), ties broken by closeness after a question term."""
    spans = figure_candidates(sentence, analysis)
    if not spans:
        return []
    clauses = [m.span() for m in _FIGURE_CLAUSE.finditer(sentence) if m.end() > m.start()]
    anchors = _anchor_ends(sentence, analysis)
    asks_money = bool(_MONEY_WORDS.search(analysis.question))
    quoted = [re.sub(r"\s", "", f) for f in FIGURE.findall(analysis.question)]
    classifier = _CLASSIFIER.search(analysis.question)
    scored = []
    for span in spans:
        clause = next(((s, e) for s, e in clauses if s <= span[0] < e), (0, len(sentence)))
        clause_text = sentence[clause[0]:clause[1]]
        score = coverage(clause_text, analysis, doc_freq, n)
        squeezed = re.sub(r"\s", "", clause_text)
        if any(f in squeezed for f in quoted):
            score += 0.3  # "10亿元以上项目50个" answers "多少个10亿元以上项目"
        if classifier and classifier.group(1) in sentence[span[0]:span[1]]:
            score += 0.3  # 多少个项目 is counted in 个, not in 次
        if analysis.terms:  # every question word counts a little, verbs (开复工) included
            score += 0.1 * sum(t in clause_text.lower() for t in analysis.terms) / len(analysis.terms)
        before = [span[0] - a for a in anchors if a <= span[0]]
        score += 0.05 / (1 + min(before)) if before else 0.0
        if analysis.unit is None and not asks_money and re.search(r"元", sentence[span[0]:span[1]]):
            score -= 0.1  # amounts of money answer questions that mention money
        scored.append((score, span))
    return scored


def pick_figure(sentence: str, analysis: QueryAnalysis, doc_freq=None, n: int = 0) -> tuple[int, int] | None:
    """The best-scored figure of the asked kind in ``sentence``."""
    scored = score_figures(sentence, analysis, doc_freq or {}, n or 1)
    return max(scored, key=lambda t: t[0])[1] if scored else None


def pick_name(sentence: str, analysis: QueryAnalysis) -> tuple[int, int] | None:
    """A person's name after a title; after the title the question names, if it names one
    (四平市长是谁 is not answered by 市委书记王相民)."""
    asked = _TITLE.search(analysis.question)
    pattern = (re.compile(rf"{re.escape(asked.group(0))}[、，\s]*([\u4e00-\u9fff]{{2,3}}?){_NAME_END}")
               if asked else _NAME)
    for m in pattern.finditer(sentence):
        if not asked or not re.search(r"[副]$", sentence[:m.start()]):
            start, end = m.span(1)
            for more in re.finditer(r"\s+([\u4e00-\u9fff]{2,3})(?=\s|$)", sentence[end:]):
                if more.start() != end - m.end(1) or _TITLE.fullmatch(more.group(1)):
                    break  # co-authors follow in a byline, up to the next title (通讯员)
                end = m.end(1) + more.end()
            return start, end
    return None


def pick_date(sentence: str) -> tuple[int, int] | None:
    m = DATE.search(sentence)
    return m.span() if m else None


def pick_list(sentence: str, question: str = "") -> tuple[int, int] | None:
    """The enumeration (A、B、C…) that fits the question, with the noun phrase closing it
    (…八个重点产业): the asked kind (哪几座城 → 城) and count (八大行动 → 8) first, then length."""
    head, count = list_head(question), list_count(question)
    best, best_key = None, None
    for m in _LIST.finditer(sentence):
        start, end = m.span()
        items = m.group(0).split("、")
        if sum(bool(_PREDICATE.search(item)) for item in items) * 2 > len(items):
            continue  # 基础最扎实、优势最明显… describes; an answer list names things
        lead = _LEADING_VERB.match(sentence[start:end])
        if lead:
            start += lead.end()
        end = _LIST_TAIL.match(sentence, end).end()
        key = (bool(head) and head[-1] in sentence[start:end], count == len(items), end - start)
        if best_key is None or key > best_key:
            best, best_key = (start, end), key
    return best


_LIST_HEAD = (
    re.compile(r"哪(?:几|些|[两三四五六七八九十])+[个座项条种大位家所]?([\u4e00-\u9fff]{1,10}?)(?:[？?。，]|$|分别|是|有|包括)"),
    re.compile(r"([\u4e00-\u9fff]{1,10}?)(?:都|分别)?(?:是|有|包括)(?:哪些|哪几|什么)"),
)


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十", start=0)} | {"两": 2}
_COUNT_IN_QUESTION = re.compile(r"([一二三四五六七八九十两]|\d+)[个大项座条种位方]")


def list_count(question: str) -> int | None:
    """How many items a list question announces: 八个重点产业 → 8, 四个平台 → 4."""
    m = _COUNT_IN_QUESTION.search(question)
    if not m:
        return None
    text = m.group(1)
    return int(text) if text.isdigit() else _CN_DIGITS.get(text)


def list_head(question: str) -> str:
    """The kind of thing a list question asks for: 哪几座城 → 城, 四个平台是哪些 → 平台."""
    for pattern in _LIST_HEAD:
        m = pattern.search(question)
        if m and m.group(1):
            return m.group(1)[-2:]
    return ""


_WHAT_HEAD = re.compile(r"什么([\u4e00-\u9fff]{1,2})")


def pick_clause(sentence: str, analysis: QueryAnalysis, doc_freq, n: int) -> tuple[int, int] | None:
    """The clause (between commas) that covers most of the question; ties go to the later one,
    which is where Chinese puts the new information (…考核中实现全省唯一的“四连冠”). A clause
    naming the kind of thing asked for (要打造什么城 → …换热器城) wins over one that only
    repeats the question."""
    head = _WHAT_HEAD.search(analysis.question)
    head_char = head.group(1)[-1] if head else ""
    question = analysis.question
    best, best_score = None, -1.0
    for m in _CLAUSE.finditer(sentence):
        start, end = m.span()
        text = sentence[start:end].rstrip("，,：:")
        if len(text.strip()) < 2:
            continue
        score = coverage(text, analysis, doc_freq, n)
        if head_char and any(ch == head_char and ch not in question[:head.start()] for ch in text):
            score += 0.5
        if score >= best_score:
            best, best_score = (start, start + len(text)), score
    return best


def find_span(sentence: str, analysis: QueryAnalysis, doc_freq, n: int) -> tuple[tuple[int, int] | None, bool]:
    """(key span, whether it has the shape asked for); the clause is the fallback span."""
    shaped = None
    if analysis.qtype == "how_much":
        if analysis.unit == "level":
            m = LEVEL.search(sentence)
            shaped = m.span() if m else None
        else:
            shaped = pick_figure(sentence, analysis, doc_freq, n)
    elif analysis.qtype == "who":
        shaped = pick_name(sentence, analysis)
    elif analysis.qtype == "when":
        shaped = pick_date(sentence)
    elif analysis.qtype == "list":
        shaped = pick_list(sentence, analysis.question)
    if shaped is not None:
        return shaped, True
    return pick_clause(sentence, analysis, doc_freq, n), False
