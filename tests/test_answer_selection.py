"""Answer selection on small hand-made passages: the best sentence of a passage, the choice
between passages, and abstention when no sentence answers."""
from __future__ import annotations

import datetime as dt

from qa_service.qa.analysis import analyse
from qa_service.corpus.sentences import answer_units, is_short_clause, parallel_runs
from qa_service.qa.answer import SENTENCE_FEATURES, best_in_passage, choose_answer, sentence_features
from qa_service.qa.params import AnswerWeights
from qa_service.qa.signals import ScoringContext
from qa_service.types import Document, DocumentMeta, Hit, Passage

REF = dt.date(2025, 6, 1)


def doc(doc_id: str, *, reports_on=(), plans_for=()) -> Document:
    meta = DocumentMeta(doc_id=doc_id, title="t", date="2024-12-27",
                        reports_on=tuple(reports_on), plans_for=tuple(plans_for))
    return Document(doc_id=doc_id, path=f"corpus/{doc_id}.txt", raw="", meta=meta)


def passage(pid: str, text: str, *, doc_id: str = "d2024", section: str = "") -> Passage:
    return Passage(passage_id=pid, doc_id=doc_id, paragraph=1, part=0, section=section,
                   title="全会召开", date="2024-12-27", text=text, start=0, end=len(text),
                   source_file=f"corpus/{doc_id}.txt")


DOCS = {"d2024": doc("d2024", reports_on=[2024], plans_for=[2025]),
        "d2022": doc("d2022", reports_on=[2022], plans_for=[2023])}
CTX = ScoringContext(documents=DOCS, doc_freq={}, n_passages=100)

GDP = ("2024年前三季度，全市地区生产总值完成591.5亿元，同比增长5.1%。"
       "全年地区生产总值预计增长5.5%左右。")


def ask(question: str):
    return analyse(question, reference_date=REF)


def test_answer_units_are_sentences_with_exact_offsets():
    text = "第一句话。  第二句，很长；第三部分！"
    units = answer_units(text)
    assert [text[s:e] for s, e in units][0] == "第一句话。"
    assert all(text[s:e] == text[s:e].strip() and e > s for s, e in units)


def test_best_sentence_holds_the_figure_of_the_period_asked():
    p = passage("d2024:1", GDP)
    c = best_in_passage(p, ask("2024年前三季度地区生产总值是多少"), CTX)
    assert c is not None
    sentence = p.text[c.start:c.end]
    assert "前三季度" in sentence and sentence[c.span[0]:c.span[1]] == "591.5亿元"


def test_a_sentence_about_another_period_is_skipped():
    p = passage("d2024:1", GDP)
    c = best_in_passage(p, ask("2024年全年地区生产总值增长多少"), CTX)
    assert c is not None and "前三季度" not in p.text[c.start:c.end]


def test_a_passage_about_another_year_gives_no_answer():
    p = passage("d2022:1", "全市地区生产总值完成480亿元，同比增长4.2%。", doc_id="d2022")
    assert best_in_passage(p, ask("2024年地区生产总值是多少"), CTX) is None
    assert best_in_passage(p, ask("2022年地区生产总值是多少"), CTX) is not None


def test_a_target_is_no_answer_to_a_result_question_about_a_year():
    p = passage("d2024:2", "全市地区生产总值力争增长6%左右。", section="二、2025年主要目标")
    assert best_in_passage(p, ask("2025年地区生产总值增长多少"), CTX) is None
    assert best_in_passage(p, ask("2025年地区生产总值增长目标是多少"), CTX) is not None
    # a keyword query asks no tense: the target is an answer (results are still preferred)
    assert not ask("2025 地区生产总值 增长").interrogative
    assert best_in_passage(p, ask("2025 地区生产总值 增长"), CTX) is not None


def test_a_passage_that_does_not_cover_the_question_gives_no_answer():
    p = passage("d2024:3", "全市空气质量连续6年稳定达到国家二级标准。")
    assert best_in_passage(p, ask("2024年前三季度地区生产总值是多少"), CTX) is None


def hits(*passages: Passage) -> list[Hit]:
    return [Hit(passage=p, rank=i, score=1.0 / i) for i, p in enumerate(passages, start=1)]


def test_choose_answer_returns_verbatim_offsets_into_the_cited_passage():
    analysis = ask("2024年前三季度地区生产总值是多少")
    ranked = hits(passage("d2024:3", "全市空气质量连续6年稳定达到国家二级标准。"), passage("d2024:1", GDP))
    candidates = {h.passage.passage_id: best_in_passage(h.passage, analysis, CTX) for h in ranked}
    answer = choose_answer(ranked, candidates)
    assert answer is not None and answer.citation == 2 and answer.passage_id == "d2024:1"
    text = ranked[1].passage.text
    assert text[answer.sentence_start:answer.sentence_end] == answer.text
    assert text[answer.span_start:answer.span_end] == answer.span == "591.5亿元"


def test_choose_answer_abstains_when_no_candidate():
    analysis = ask("2024年前三季度地区生产总值是多少")
    ranked = hits(passage("d2024:3", "全市空气质量连续6年稳定达到国家二级标准。"))
    candidates = {h.passage.passage_id: best_in_passage(h.passage, analysis, CTX) for h in ranked}
    assert choose_answer(ranked, candidates) is None


def test_choose_answer_only_looks_at_the_top_hits_and_a_lower_rank_costs():
    analysis = ask("2024年前三季度地区生产总值是多少")
    filler = [passage(f"d2024:{i}", "全市空气质量连续6年稳定达到国家二级标准。") for i in range(5, 9)]
    ranked = hits(*filler, passage("d2024:1", GDP))  # the answer at rank 5
    candidates = {h.passage.passage_id: best_in_passage(h.passage, analysis, CTX) for h in ranked}
    assert choose_answer(ranked, candidates) is None  # beyond the default three considered
    assert choose_answer(ranked, candidates, weights=AnswerWeights(consider=5)).citation == 5
    twice = hits(passage("d2024:1", GDP), passage("d2024:9", GDP))
    candidates = {h.passage.passage_id: best_in_passage(h.passage, analysis, CTX) for h in twice}
    assert choose_answer(twice, candidates).citation == 1  # equal sentences: the higher rank wins


# A real passage (000:16): the items of an enumeration name their topic only in the sentence
# that announces them.
PROBLEMS = passage("d2024:16", "会议提出，在肯定成绩的同时也要看到，一些制约四平高质量发展的深层次矛盾问题仍未根本解决，"
                              "取得全面振兴仍然任重道远。一是经济总量还不够大。二是重大项目进展不快。三是历史债务包袱沉重。")


def test_an_enumeration_item_is_read_with_the_sentence_that_announces_it():
    analysis = ask("制约四平高质量发展的第二个深层次问题是什么")
    rows = {PROBLEMS.text[s:e]: f for s, e, _, f in sentence_features(PROBLEMS, analysis, CTX)}
    ordinal = SENTENCE_FEATURES.index("ordinal")
    # every item qualifies on its announcing sentence's words; only the asked one fits the ordinal
    assert rows["二是重大项目进展不快。"][ordinal] == 1.0
    assert rows["一是经济总量还不够大。"][ordinal] == rows["三是历史债务包袱沉重。"][ordinal] == -1.0
    assert rows["二是重大项目进展不快。"][0] == rows["一是经济总量还不够大。"][0] > 0


# A real paragraph (003): short headings, each followed by the sentences under it.
REFORMS = passage("h:1", "深化营商环境改革。持续实施政务服务“极简改革”，扩大“全程网办”“不见面审批”“一网通办”覆盖范围，"
                         "在更多领域实现“高效办成一件事”，让群众办事更便捷、更安心。深化财政金融改革。"
                         "稳妥推进市属国有企业改革重组。")


def test_the_sentences_under_a_heading_are_read_with_it():
    """A short one-clause sentence heads what follows it: the sentence under it covers the
    question's topic through it, and the next heading ends it."""
    analysis = ask("深化营商环境改革要在更多领域实现什么")
    rows = {REFORMS.text[s:e]: f for s, e, _, f in sentence_features(REFORMS, analysis, CTX)}
    body = next(t for t in rows if t.startswith("持续实施"))
    coverage = SENTENCE_FEATURES.index("coverage")
    alone = CTX.coverage(f"{REFORMS.title} {body}", analysis)
    assert rows[body][coverage] > alone and rows[body][coverage] >= rows["深化营商环境改革。"][coverage]
    assert not any(t.startswith("稳妥推进") for t in rows)  # under another heading: too little covered
    best = best_in_passage(REFORMS, analysis, CTX)
    assert REFORMS.text[best.start:best.end] == body  # the heading only restates the question


# Real paragraphs (004, 000): a heading, then its items as short sentences that open alike.
REFORM_TASKS = passage("r:1", "一要蹄疾步稳抓改革。要打造一流营商环境。要深化农村综合改革。要推进财政金融改革。")
KEY_REFORMS = passage("r:2", "要统筹推进各类重点改革。深化国资国企改革；深化农村土地制度改革；深化媒体深度融合改革；"
                             "深化教育综合改革。要一体推进人才发展体制机制改革、事业单位改革等重点任务，推动各项改革相互促进。")


def test_short_sentences_that_open_alike_are_a_list():
    assert parallel_runs(REFORM_TASKS.text) == ((1, 3),)  # the heading opens with 一, not 要
    units = answer_units(KEY_REFORMS.text)
    (first, last), = parallel_runs(KEY_REFORMS.text)
    assert KEY_REFORMS.text[units[first][0]:units[last][1]] == (
        "深化国资国企改革；深化农村土地制度改革；深化媒体深度融合改革；深化教育综合改革。")
    # two are prose; a clause with a comma is no item; items must open alike
    assert parallel_runs("要统一思想认识。要强化物资保障。") == ()
    assert parallel_runs("要统一思想认识。要强化物资保障，做好储备。要提升救治能力。") == ()
    assert parallel_runs("要统一思想认识。须强化物资保障。要提升救治能力。") == ()
    assert is_short_clause("深化国资国企改革；") and not is_short_clause("要强化物资保障，做好储备。")


def test_a_list_question_gets_the_run_as_one_answer_and_other_questions_do_not():
    analysis = ask("蹄疾步稳抓改革要抓哪三项改革")
    rows = {REFORM_TASKS.text[s:e]: (span, f) for s, e, span, f in sentence_features(REFORM_TASKS, analysis, CTX)}
    run = "要打造一流营商环境。要深化农村综合改革。要推进财政金融改革。"
    span, features = rows[run]
    assert run[span[0]:span[1]] == run.rstrip("。")  # the items, without the closing mark
    named = dict(zip(SENTENCE_FEATURES, features))
    assert named["shaped"] == 1.0 and named["list_items"] == 2.0 and named["list_count"] == 1.0  # three asked
    assert named["list_head"] == 1.0  # items that end with the kind asked for (…改革)
    # read with its heading: the run covers the question as the heading does
    assert named["coverage"] >= rows["一要蹄疾步稳抓改革。"][1][0]
    best = best_in_passage(REFORM_TASKS, analysis, CTX)
    assert REFORM_TASKS.text[best.start:best.end] == run
    other = ask("蹄疾步稳抓改革要打造什么样的营商环境")
    assert run not in {REFORM_TASKS.text[s:e] for s, e, *_ in sentence_features(REFORM_TASKS, other, CTX)}
