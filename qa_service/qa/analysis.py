"""Question analysis: years and periods named, question type, synonym expansion."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..lexicon.cues import (ASKED_UNIT_CUES, COUNTED_UNITS, ENGLISH_COUNT, FIVE_YEAR_PLANS, INTERROGATIVES, NAMED_SESSION,
                            ORDINAL_QUARTER, PERIODS, PLAN_IN_QUESTION, PLAN_MODAL, QUESTION_TYPES, RELATIVE_YEAR, RELATIVE_YEARS, RESULT_MODAL, TOPIC_UNIT_CUES,
                            UNIT_CUES)
from ..lexicon.dictionary import EnglishDictionary, bare_place, places
from ..lexicon.patterns import SHORT_YEAR_IN_QUESTION, YEAR_IN_QUESTION
from ..lexicon.synonyms import synonym_groups
from ..search.tokenizer import content_words, default_tokenizer, predicates, tokenize
from .normalize import HomophoneReader, Rewrite, english_places, english_verbs, gloss_english, is_english, to_simplified

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
    rewrites: tuple[Rewrite, ...] = ()  # changes made before analysis (traditional, english, homophone)
    asked: str = ""  # the question as asked when it was glossed from English (the dense model reads it)
    # Concepts the dictionary translated from English words the glossary does not know: searched
    # for, and evidence where a passage has them, but no loss where it lacks them (the dictionary's
    # rendering may not be the corpus's wording).
    translated: tuple[tuple[str, ...], ...] = ()
    # A question word is present: a keyword query (四平 充电桩 2023) has none, and so no tense
    # either: a target answers it as well as a result.
    interrogative: bool = True
    # The question's verbs and adjectives (避免, 出栏, 偏低): ``content_words`` leaves them out of
    # the concepts a passage must cover; where a sentence has them it is likelier the one that
    # says what was asked, so they are optional evidence when choosing a sentence or clause.
    predicates: tuple[tuple[str, ...], ...] = ()
    # Places the question names (CC-CEDICT's place names: 长春, 辽源市, 伊通): a passage from a
    # document that never names one of them is about somewhere else.
    places: tuple[str, ...] = ()
    sessions: tuple[str, ...] = ()  # sessions and editions it names (八届七次, 第四届): the same holds

    @property
    def search_tokens(self) -> list[str]:
        return [*self.terms, *(t for e in self.expansions for t in tokenize(e))]

    @property
    def dense_text(self) -> str:
        extra = "".join(f"（{e}）" for e in self.expansions if e not in self.question)
        if self.asked:  # the multilingual model matches the English directly; the gloss helps
            return f"{self.asked}（{self.question}）{extra}"
        return self.question + extra


def _places(question: str) -> tuple[str, ...]:
    """The places the question names, each as its bare name (辽源市 → 辽源, 伊通县 → 伊通: the
    form a text that names it always contains); whole words only (not 通县 inside 伊通县)."""
    known = places().chinese
    return tuple(dict.fromkeys(bare_place(w) for w in default_tokenizer().words(question) if w in known))


def _years(question: str, reference: dt.date) -> tuple[int, ...]:
    years = {int(y) for y in YEAR_IN_QUESTION.findall(question) if 1990 <= int(y) <= 2100}
    century = reference.year // 100 * 100
    years.update(century + int(y) for y in SHORT_YEAR_IN_QUESTION.findall(question)
                 if century + int(y) <= reference.year + 1)  # 23年 said in 2026 is 2023; 95年 is no 2095
    years.update(reference.year + RELATIVE_YEARS[m.group(0)] for m in RELATIVE_YEAR.finditer(question))
    for name, (lo, hi) in FIVE_YEAR_PLANS.items():
        if name in question:
            years.update(range(lo, hi + 1))
    return tuple(sorted(years))


def _plain_quarter(m: re.Match) -> str:
    """The quarter ``ORDINAL_QUARTER`` matched, without its ordinal: 第4季度 → 四季度."""
    return "一二三四"["一二三四1234".index(m.group(1)) % 4] + "季度"


def _periods(question: str) -> tuple[str, ...]:
    found = [p for p in PERIODS if p in question]
    return tuple(p for p in found if not any(p != q and p in q for q in found))  # 前三季度 ⊃ 三季度


def _unit(question: str, qtype: str, *, counted: bool = False) -> str | None:
    """The unit a how-much question asks for (``UNIT_CUES``); ``counted``: it asks "how many",
    so a topic names its unit only if the topic is counted, and else the unit is a count."""
    if qtype != "how_much":
        return None
    cues = ASKED_UNIT_CUES + tuple(c for c in TOPIC_UNIT_CUES if c[0] in COUNTED_UNITS) if counted else UNIT_CUES
    for name, pattern in cues:
        if pattern.search(question):
            return name
    return "count" if counted else None


def _qtype(question: str) -> str:
    for name, pattern in QUESTION_TYPES:
        if pattern.search(question):
            return name
    return "what"


def analyse(question: str, *, reference_date: dt.date | None = None,
            reader: HomophoneReader | None = None, dictionary: EnglishDictionary | None = None) -> QueryAnalysis:
    """Analyse a question; ``reference_date`` anchors 去年/今年 (default: today); ``reader``
    reads mistyped words as the corpus word they sound like; ``dictionary`` glosses English words
    the glossary does not know into the corpus's words."""
    reference = reference_date or dt.date.today()
    text, rewrites = to_simplified(question.strip())
    asked = text
    named: tuple[Rewrite, ...] = ()
    if reader is not None and is_english(text):  # a name spelt in pinyin, as the corpus writes it
        text, named = reader.read_names(text, dictionary)
        rewrites += named
    text, glossed, translated = gloss_english(text, dictionary)
    rewrites += glossed
    text = ORDINAL_QUARTER.sub(_plain_quarter, text)  # 第四季度 → 四季度, as the reports write it
    if reader is not None and not glossed:
        text, more = reader.read(text)
        rewrites += more
    lowered = text.lower()
    expansions: list[str] = []
    term_groups: list[tuple[str, ...]] = []
    covered: set[str] = set()
    # the dictionary's renderings of English words stay optional (``translated``), though a
    # synonym group has them (urban → 城区, in the group of 城里)
    rendered = {w.lower() for g in translated for w in g}
    for group in synonym_groups():
        present = [w for w in group if w.lower() in lowered]
        if present and not all(w.lower() in rendered for w in present):
            term_groups.append(group)
            covered.update(t for w in present for t in tokenize(w))
            expansions.extend(w for w in group if w.lower() not in lowered)
    for group in translated:  # searched for, but optional evidence (see QueryAnalysis.translated)
        covered.update(t for w in group for t in tokenize(w))
        expansions.extend(w for w in group if w.lower() not in lowered)
    # Years and plan periods are matched by the year logic, not as words to find in the text.
    stripped = re.sub("|".join(FIVE_YEAR_PLANS), " ", YEAR_IN_QUESTION.sub(" ", text))
    terms = tuple(dict.fromkeys(t for t in tokenize(YEAR_IN_QUESTION.sub(" ", text)) if not t.isdigit()))
    for term in dict.fromkeys(t for t in content_words(stripped) if not t.isdigit()):
        if term not in covered and not any(term in w.lower() for g in (*term_groups, *translated) for w in g):
            term_groups.append((term,))
    if reader is not None:  # a word jieba does not know, cut into characters the corpus writes together
        for word in reader.joined_words(default_tokenizer().words(stripped)):
            parts = [g for g in term_groups if len(g) == 1 and len(g[0]) == 1 and g[0] in word]
            if parts and not any(word in w for g in term_groups for w in g):
                at = term_groups.index(parts[0])
                term_groups = [g for g in term_groups[:at] if g not in parts] + [(word,)] + [
                    g for g in term_groups[at:] if g not in parts]
    for name in dict.fromkeys(r.replacement for r in named):  # one concept, whatever jieba cuts it into
        term_groups = [g for g in term_groups if not all(w in name for w in g)] + [(name,)]
    modal = [g for g in term_groups if set(g) <= PLAN_MODAL | RESULT_MODAL]  # a plan or result asked about, no concept
    term_groups = [g for g in term_groups if g not in modal]
    asked_words = [w.lower() for g in (*term_groups, *translated) for w in g]
    if glossed:  # the asker's verbs, as the dictionary reads them (the gloss's are the glossary's)
        verbs = tuple(g for g in english_verbs(asked, dictionary)
                      if not any(w in a or a in w for w in g for a in asked_words))
    else:
        verbs = tuple((w,) for w in dict.fromkeys(predicates(stripped))
                      if not any(w in a or a in w for a in asked_words))
    verbs = tuple(dict.fromkeys((*modal, *verbs)))
    return QueryAnalysis(
        question=text,
        years=_years(text, reference),
        periods=_periods(text),
        # a plan period not over yet (十五五, asked before 2031) has targets only
        asks_plan=bool(PLAN_IN_QUESTION.search(text)) or any(
            name in text and hi >= reference.year for name, (_, hi) in FIVE_YEAR_PLANS.items()),
        qtype=(qtype := _qtype(text)),
        unit=_unit(text, qtype, counted=bool(glossed and ENGLISH_COUNT.search(asked))),
        terms=terms,
        expansions=tuple(dict.fromkeys(expansions)),
        term_groups=tuple(term_groups),
        translated=translated,
        interrogative=bool(INTERROGATIVES.search(text)),
        predicates=verbs,
        # the places the asker wrote, not words the dictionary chose for other English words
        places=tuple(dict.fromkeys(english_places(asked).values())) if glossed else _places(text),
        sessions=tuple(dict.fromkeys(NAMED_SESSION.findall(text))),
        rewrites=rewrites,
        asked=asked if glossed else "",
    )
