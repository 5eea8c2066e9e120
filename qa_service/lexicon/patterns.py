"""Patterns built from the cue table: figures, years, dates, ranks, sentences.

One definition each; the corpus reader, question analysis, re-ranking and span finders all use
these, so "what a year looks like" cannot differ between indexing and answering.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .cues import CLASSIFIER_ALTERNATIVE, FIGURE_UNITS

HAN = re.compile(r"[\u4e00-\u9fff]")  # one Chinese character
SENTENCE_END = "。！？!?"
CLOSERS = "”’」』）)》\"'"
CLAUSE_END = "；;"
SENTENCE = re.compile(rf"[^{SENTENCE_END}]*[{SENTENCE_END}]+[{re.escape(CLOSERS)}]*|[^{SENTENCE_END}]+$")
# Sentences, with long ；-joined sentences cut into their clauses (the unit an answer quotes).
ANSWER_UNIT = re.compile(r"[^。！？!?；;]*[。！？!?；;]+[”’」』）)》]*|[^。！？!?；;]+$")

# --- years and dates -----------------------------------------------------------------------
_YEAR_DIGITS = r"(?<![\d.])((?:19|20)\d{2})(?![\d.])"
# A year named in running text: 2023年, 2023 年.
YEAR_IN_TEXT = re.compile(_YEAR_DIGITS + r"\s*年")
# A year named in a question, where 年 may be left out (四平 gdp 2024) but a quantity is no year
# (2000万元, 2023个).
YEAR_IN_QUESTION = re.compile(_YEAR_DIGITS + r"(?!\s*[万亿千百十个位名人元吨斤亩项件座条家户所次公平立%])\s*年?")
# A year said the short way at the head of a clause (23年四平…, 22年和24年…): 20xx, the century
# being today's; not a span of years (20年来, 30年间, 20年一遇), nor a figure (超20年).
# After the 年 of a short year: no span of years (20年来, 30年间, 20年前), but a period may follow
# (24年前三季度).
SHORT_YEAR_END = r"(?!来|间|内|一遇|左右|以来|以上|多|后|前(?![一二两三四五六七八九十\d])|的时间)"
SHORT_YEAR_IN_QUESTION = re.compile(r"(?:^|(?<=[\s，,、和与及跟到至]))(\d{2})\s*年" + SHORT_YEAR_END)
FULL_DATE = re.compile(_YEAR_DIGITS + r"\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# A month and day without a year (12月27日), and an ISO date (2023-04-18).
MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ISO_DATE = re.compile(r"((?:19|20)\d{2})-(\d{2})-(\d{2})")
DATE = re.compile(r"(?:\d{4}\s*年)?\d{1,2}\s*月\d{1,2}\s*日|\d{4}\s*年\d{1,2}\s*月")

# --- figures -------------------------------------------------------------------------------
# A range is one figure (2—3个 is not 3个); neither end a year (2023—2025年 is a period).
_RANGE = r"(?:\s*[—–~～\-至]\s*(?!(?:19|20)\d{2}\s*年)\d+(?:\.\d+)?)?"
# A number in Chinese numerals is a figure with a unit or the classifiers of people and livestock
# (百万只肉羊, 十万只梅花鹿); not with 项, where it mostly names a programme (四项工程, 十亿项目), nor 百亿级.
NUMBER = rf"(?:\d+(?:\.\d+)?{_RANGE}|[一二三四五六七八九十两百千]+(?=[万亿]?(?:斤|吨|元|亩|年|个|人|只|头)(?!级)))"
_QUALIFIER = r"(?:左右|以上|以内|以下|余|多)?"
# A bound or approximation before the number is part of the figure (约1.02万个 is about, 超3亿元 over,
# 突破90亿元 past), also when the text spaces it from the number (约 1.02 万个).
_PREFIX = r"(?:(?:不超过|超过|不少于|不低于|不高于|至少|将近|接近|大约|突破|近|约|逾|(?<!赶)超)\s*)?"
APPROX = r"(?:[万亿]?(?:余|多))?"  # 12000余人, 17万余件
_ANY_UNIT = "(?:" + "|".join(FIGURE_UNITS.values()) + r"|[万亿]+)"
# The unit or classifier right after a question word (多少万亩, 多少名): asked, not asked about.
ASKED_MEASURE = re.compile(rf"^{_ANY_UNIT}")
STREAK = re.compile(r"[一二三四五六七八九十\d]+连[丰冠胜增]")
# A figure starts where a number starts, and a year (2024年) is a date, not a duration.
_NOT_A_YEAR = r"(?<![\d.])(?!(?:19|20)\d{2}\s*年)"
FIGURE = re.compile(rf"{_PREFIX}(?:连续)?{_NOT_A_YEAR}{NUMBER}\s*{APPROX}{_ANY_UNIT}(?!级){CLASSIFIER_ALTERNATIVE}{_QUALIFIER}"
                    rf"|{STREAK.pattern}")
LEVEL = re.compile(r"(?:国家|省|市|县)?[一二三四五六七八九十\d]级[\u4e00-\u9fff]{0,4}|(?:国家|省|市|县)级")
# A place in an order with its classifier: 第5名, 第二届 (a festival's edition), 第八次 (a congress),
# 第一等次 (a grade), 第三批 (a batch).
RANK = re.compile(r"(?:全省|全国|东北|全市)?(?:第[一二三四五六七八九十\d]+(?:名|位|届|次|批|轮|期|等次|等)?|唯一|首位)")


# A character official writing gives in brackets as an alternative to the word before it: 每个乡（镇）
# is each township (乡) or town (乡镇 says both), 各县（市）区 each county, county-level city and
# district. A question's 乡镇 or 县区 is found there read either way (``alternatives_read``).
OPTIONAL_CHARACTER = re.compile(r"(?<=[\u4e00-\u9fff])（([\u4e00-\u9fff])）")

_WHITESPACE = re.compile(r"\s+")


def strip_ws(text: str) -> str:
    """The text without any whitespace: the source has hard line wraps, also inside words and
    figures, so names, figures and evidence are compared this way."""
    return _WHITESPACE.sub("", text)


@lru_cache(maxsize=8192)
def figures(text: str) -> tuple[re.Match, ...]:
    """FIGURE matches that are not part of a date (12月26日 is no figure of 26 days).

    Cached by text (bounded): every question looks at the same passages and sentences again."""
    dates = [m.span() for m in DATE.finditer(text)]
    return tuple(m for m in FIGURE.finditer(text) if not any(s <= m.start() < e for s, e in dates))


@lru_cache(maxsize=8192)
def has_measured_figure(text: str) -> bool:
    """Whether the text states a measured quantity: a figure written with digits (451.83亿元, 24小时)."""
    return any(any(ch.isdigit() for ch in m.group(0)) for m in figures(text))


def unit_figure(unit: str) -> re.Pattern:
    """A number followed by the unit of one kind of figure (``FIGURE_UNITS``)."""
    return re.compile(rf"{_NOT_A_YEAR}{NUMBER}\s*{APPROX}{FIGURE_UNITS[unit]}{CLASSIFIER_ALTERNATIVE}")


def text_years(text: str) -> set[int]:
    """Years a text names (2023年)."""
    return {int(y) for y in YEAR_IN_TEXT.findall(text)}


# A Chinese numeral before 万/亿 is an amount a question may quote: 十亿元以上项目 = 10亿元以上项目.
_CN_AMOUNT = re.compile(r"(?<![〇零一二三四五六七八九十百千两])([一二三四五六七八九十两][〇零一二三四五六七八九十百千]*)(?=[万亿])")
_CN_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}


def _cn_value(numeral: str) -> int:
    total = digit = 0
    for ch in numeral:
        if ch in _CN_UNIT:
            total += (digit or 1) * _CN_UNIT[ch]
            digit = 0
        else:
            digit = _CN_VALUE[ch]
    return total + digit


def quoted_figures(question: str) -> set[str]:
    """The figures a question quotes (without whitespace), amounts in Chinese numerals read as
    digits (十亿元 → 10亿元, 两万人 → 2万人): a sentence's figure equal to one is no answer to it, and
    a clause repeating one is about what the question asks."""
    arabic = _CN_AMOUNT.sub(lambda m: str(_cn_value(m.group(1))), question)
    return {strip_ws(f) for f in FIGURE.findall(arabic)}


@lru_cache(maxsize=8192)
def alternatives_read(text: str) -> str:
    """The lowered text for looking a question's words up in, with each bracketed alternative
    character (``OPTIONAL_CHARACTER``) read in and left out as well: 乡（镇） also as 乡镇 and 乡."""
    lowered = text.lower()
    if "（" not in lowered or not OPTIONAL_CHARACTER.search(lowered):
        return lowered
    return "\n".join((lowered, OPTIONAL_CHARACTER.sub(r"\1", lowered), OPTIONAL_CHARACTER.sub("", lowered)))
