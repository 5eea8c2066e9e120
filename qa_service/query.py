"""Question analysis: years and periods named, question type, synonym expansion."""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .lexical import add_words, content_words, tokenize

_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d.])(?!\s*[万亿千百十个位名人元吨斤亩项件座条家户所次公平立%])\s*年?")
_FIVE_YEAR_PLANS = {"十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
_RELATIVE = {"前年": -2, "去年": -1, "上年": -1, "今年": 0, "本年": 0, "明年": 1, "来年": 1}
_PERIODS = ("一季度", "二季度", "三季度", "四季度", "前三季度", "上半年", "下半年", "全年", "年底", "年末")
_PLAN_WORDS = re.compile(r"目标|计划|力争|预期|打算|(?<![主重需只想紧必])要|规划|将|部署|安排|任务|准备")

# Units a how-much question asks for, by the words it uses (多少人 → people, 多少钱 → money…).
_Q = r"(?:多少|几)"
UNIT_CUES = (  # first match wins: an explicit unit, then ranks and rates, then the metric's meaning
    ("streak", re.compile(r"几连|连丰|第几个丰收")),
    ("points", re.compile(r"[高低快慢多少]了?多少个?百分点|比.{1,8}[高低快慢]多少")),
    ("rank", re.compile(r"第几|排第|排名|名次|位列|排在")),
    ("level", re.compile(r"几级|什么级别|哪一?级")),
    ("visits", re.compile(rf"{_Q}[万]?人次|游客|接待")),
    ("money", re.compile(rf"{_Q}钱|{_Q}[万亿]?元")),
    ("people", re.compile(rf"{_Q}[万]?(?:人|名)(?!次)|{_Q}个人|人数")),
    ("area", re.compile(rf"{_Q}[万]?亩")),
    ("grain", re.compile(rf"{_Q}[万亿]?(?:斤|吨)")),
    ("length", re.compile(rf"{_Q}公里|多长(?!时间)")),
    ("flow", re.compile(r"流量|立方米")),
    ("duration", re.compile(rf"{_Q}年|多长时间|多久|{_Q}个月|{_Q}天|{_Q}小时")),
    ("count", re.compile(rf"{_Q}[个项件座条家户所次场套笔宗头只辆处批起]")),
    ("percent", re.compile(r"增长|增速|增幅|比例|比重|覆盖率|[^产]率|百分之|降低|压缩|下降|倍")),
    ("money", re.compile(r"资金|投资|[金总余]额|销售额|收入|产值|总值|营收|贷款|补贴|税收|GDP|经济总量", re.I)),
    ("people", re.compile(r"就业")),
    ("area", re.compile(r"面积|农田|耕作|耕地")),
    ("grain", re.compile(r"粮食产量|产量")),
)

# Question type → cue patterns. Order matters: the first that matches wins.
_TYPES = (
    ("when", re.compile(r"什么时候|哪天|哪一天|何时|几月几[日号]|日期|哪一?年|什么时间")),
    ("who", re.compile(r"谁|哪几?位|什么人|姓名|名字|记者")),
    ("list", re.compile(r"哪些|哪几|包括|有什么|都有|分别|几大|几个方面|哪[两三四五六七八九十]+[\u4e00-\u9fff]")),
    ("how_much", re.compile(r"多少|几[个座条家户项次万亿千百]?|多大|多高|多快|比例|比重|增速|增长率|增幅|产量|总值|产值|"
                            r"金额|数量|人数|规模|百分之|排名|第几|收入|面积|总额|率$")),
    ("which", re.compile(r"哪[个里座家所条种]|什么[称号奖荣]|获评|获得了?什么|何种|是哪")),
    ("plan", re.compile(r"怎么[做办干]|如何|措施|举措|计划|打算|要做|部署|重点|目标|思路")),
)


@dataclass(frozen=True)
class QueryAnalysis:
    question: str
    years: tuple[int, ...]  # years the question names (explicitly, via a plan period or relatively)
    periods: tuple[str, ...]  # 前三季度, 上半年, …
    asks_plan: bool  # targets / plans rather than results
    qtype: str  # when | who | list | how_much | which | plan | what
    unit: str | None  # how-much questions: rank | level | percent | money | people | visits | area | grain | length | duration | count
    terms: tuple[str, ...]  # content tokens of the question
    expansions: tuple[str, ...]  # corpus terms for the question's colloquial words
    term_groups: tuple[tuple[str, ...], ...]  # each content concept with its synonyms

    @property
    def search_tokens(self) -> list[str]:
        return [*self.terms, *(t for e in self.expansions for t in tokenize(e))]

    @property
    def dense_text(self) -> str:
        extra = "".join(f"（{e}）" for e in self.expansions if e not in self.question)
        return self.question + extra


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    data = json.loads((resources.files("qa_service") / "data" / "synonyms.json").read_text(encoding="utf-8"))
    groups = tuple(tuple(g) for g in data["groups"])
    add_words([w for g in groups for w in g if len(w) > 1])
    return groups


def _years(question: str, reference: dt.date) -> tuple[int, ...]:
    years = {int(y) for y in _YEAR.findall(question) if 1990 <= int(y) <= 2100}
    for word, offset in _RELATIVE.items():
        if word in question:
            years.add(reference.year + offset)
    for name, (lo, hi) in _FIVE_YEAR_PLANS.items():
        if name in question:
            years.update(range(lo, hi + 1))
    return tuple(sorted(years))


def _periods(question: str) -> tuple[str, ...]:
    found = [p for p in _PERIODS if p in question]
    return tuple(p for p in found if not any(p != q and p in q for q in found))  # 前三季度 ⊃ 三季度


def _unit(question: str, qtype: str) -> str | None:
    if qtype != "how_much":
        return None
    for name, pattern in UNIT_CUES:
        if pattern.search(question):
            return name
    return None


def _qtype(question: str) -> str:
    for name, pattern in _TYPES:
        if pattern.search(question):
            return name
    return "what"


def analyse(question: str, *, reference_date: dt.date | None = None) -> QueryAnalysis:
    """Analyse a question; ``reference_date`` anchors 去年/今年 (default: today)."""
    groups = synonym_groups()
    reference = reference_date or dt.date.today()
    text = question.strip()
    lowered = text.lower()
    expansions: list[str] = []
    term_groups: list[tuple[str, ...]] = []
    covered: set[str] = set()
    for group in groups:
        present = [w for w in group if w.lower() in lowered]
        if present:
            term_groups.append(group)
            covered.update(t for w in present for t in tokenize(w))
            expansions.extend(w for w in group if w.lower() not in lowered)
    # Years and plan periods are matched by the year logic, not as words to find in the text.
    stripped = re.sub("|".join(_FIVE_YEAR_PLANS), " ", _YEAR.sub(" ", text))
    terms = tuple(dict.fromkeys(t for t in tokenize(_YEAR.sub(" ", text)) if not t.isdigit()))
    for term in dict.fromkeys(t for t in content_words(stripped) if not t.isdigit()):
        if term not in covered and not any(term in w.lower() for g in term_groups for w in g):
            term_groups.append((term,))
    return QueryAnalysis(
        question=text,
        years=_years(text, reference),
        periods=_periods(text),
        asks_plan=bool(_PLAN_WORDS.search(text)),
        qtype=(qtype := _qtype(text)),
        unit=_unit(text, qtype),
        terms=terms,
        expansions=tuple(dict.fromkeys(expansions)),
        term_groups=tuple(term_groups),
    )
