"""Every question style end to end on the real corpus and the real model: the answer span,
and what the response says about how the question was read (rewrites, parts).

The questions are from the gold set's dev split (the test split stays unseen by tests too).
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from qa_service.corpus import layout_text
from qa_service.corpus.sentences import answer_units
from qa_service.qa.spans import find_span
from qa_service.service.serialize import answer_to_dict

pytestmark = pytest.mark.slow

CASES = [  # (style, question, reference date, answer the span must hold)
    ("keyword", "农业总产值 增速 2025", None, "5.5%"),
    ("keyword", "社零 增速 2024 前三季度", None, "3.2%"),
    ("colloquial", "双辽电厂那个六号机组扩建一共要投多少钱", None, "100亿元"),
    ("english", "How much did Siping's GDP grow in the first half of 2023?", None, "5.3%"),
    ("english", "When was the 8th plenary session of the 8th Siping Municipal Party Committee held?", None,
     "2024年10月23日"),
    # words the glossary does not know, read through the dictionary (subsidy → 补贴)
    ("english", "How much housing subsidy did Siping pay out to talent?", None, "950万元"),
    ("english", "How many rivers does Siping keep under continuous monitoring?", None, "106条"),
    ("traditional", "2022年四平新增就業完成率是多少", None, "104.3%"),
    ("typo", "2022年四平新增就叶多少人", None, "19293"),
    ("list", "四平推行的“四极”审批新模式指哪四极", None, "极便、极简"),
    ("clause", "四平发展农产品精深加工要根本扭转什么局面", None, "种原粮、卖原粮"),
    # how or why: the clauses after the one the question restates (gd046, gd042)
    ("clause", "市委经济工作会议为什么要坚持把党的领导作为做好经济工作的根本保证", None, "驾驭复杂局面、应对风险挑战"),
    ("clause", "2024年四平是怎样一体推进“三不腐”的", None, "强化办案攻坚、狠抓纠风治乱"),
    # clauses in parallel answer together (gd041)
    ("clause", "八届八次全会认为，2024年以来四平取得的成绩根本上得益于什么", None, "科学指引，得益于省委、省政府的坚强领导"),
    ("relative", "去年四平整治了多少公里农村“四沟”", dt.date(2023, 3, 1), "9570公里"),
]


@pytest.mark.parametrize("style, question, reference, expected", CASES, ids=[c[0] for c in CASES])
def test_style_is_answered(real_service, style, question, reference, expected):
    answer = real_service.ask(question, top_k=5, reference_date=reference)
    assert not answer.abstained, f"{style}: abstained on {question}"
    assert expected.replace(" ", "") in answer.answer.span.replace(" ", "")


def test_traditional_question_says_how_it_was_read(real_service):
    body = answer_to_dict(real_service.ask("2022年四平新增就業完成率是多少"))
    assert body["rewrites"] == [{"from": "2022年四平新增就業完成率是多少",
                                 "to": "2022年四平新增就业完成率是多少", "reason": "traditional"}]
    cited = body["passages"][body["answer"]["citation"] - 1]
    start, end = body["answer"]["highlight"]
    assert cited["text"][start:end] == body["answer"]["span"]  # offsets into the simplified corpus


def test_homophone_is_reported(real_service):
    body = answer_to_dict(real_service.ask("2022年四平新增就叶多少人"))
    assert {"from": "就叶", "to": "就业", "reason": "homophone"} in body["rewrites"]


@pytest.mark.parametrize("question, typo, word, figure", [
    ("2022年四平改造了多少个农村测所", "测所", "厕所", "3000"),  # 所 alone is a particle
    ("2025年四平新建及改造雨污分流管往多少公里", "管往", "管网", None),  # 往 alone is a preposition
])
def test_a_typo_ending_in_a_particle_is_read_when_the_corpus_says_it_with_its_neighbour(
        real_service, question, typo, word, figure):
    answer = real_service.ask(question)
    assert {"from": typo, "to": word, "reason": "homophone"} in answer_to_dict(answer)["rewrites"]
    if figure:
        assert not answer.abstained and figure in answer.answer.span


def test_an_english_question_finds_a_company_it_names_in_pinyin(real_service):
    question = "Which company did Juyuan Heat Exchanger start technical cooperation with?"
    assert ("巨元",) in real_service.analyse(question).term_groups  # a concept the passage must cover
    answer = real_service.ask(question)
    assert {"from": "Juyuan", "to": "巨元", "reason": "homophone"} in answer_to_dict(answer)["rewrites"]
    assert not answer.abstained and "巨元换热器与一汽解放" in answer.answer.span


def test_an_english_question_s_answer_clause_is_the_one_nearest_its_meaning(real_service):
    """The gloss keeps a few nouns of an English question (公路, 城区); of the answer sentence's
    clauses, the learned clause weight lets the one nearest the question's meaning win (谋划实施
    城市内环快速路, not the purpose clause 缓解交通路网压力 that repeats "relieve pressure").
    Which sentence answers is the sentence model's choice and moves when it is retrained; this is
    the clause choice within the sentence that holds the answer."""
    question = ("What new fast road for the urban area did Siping say in 2023 that it would plan, "
                "to relieve pressure on its road network?")
    assert real_service.learned.clause_dense[1] > 0
    answerer = real_service.answerer
    analysis = real_service.analyse(question)
    passage = next(p for p in real_service.passages if "谋划实施城市内环快速路" in p.text)
    units = answer_units(passage.text)
    index = next(i for i, (a, b) in enumerate(units) if "谋划实施城市内环快速路" in passage.text[a:b])
    sentence = passage.text[slice(*units[index])]
    clauses = answerer.ctx.sentences.clause_similarities(passage.passage_id,
                                                         answerer.retriever.query_vector(analysis))[index]
    (start, end), shaped = find_span(sentence, analysis, answerer.learned_ctx, clause_similarity=clauses)
    assert not shaped and "城市内环快速路" in sentence[start:end]
    # without the cosine the purpose clause, which shares more glossed words, would be the span
    (start, end), _ = find_span(sentence, analysis, dataclasses.replace(answerer.learned_ctx, clause_dense=(0.0, 0.0)),
                                clause_similarity=clauses)
    assert "城市内环快速路" not in sentence[start:end]


def test_an_english_value_question_is_no_count_question(real_service):
    analysis = real_service.analyse("What was the value of Siping's trade with Russia in 2024?")
    assert analysis.unit == "money"  # value → 价值, an amount of money
    answer = real_service.ask("What was the value of Siping's trade with Russia in 2024?")
    assert answer.abstained or "元" in answer.answer.span  # 12户 (households) was the answer


def test_year_comparison_answers_each_year_and_says_which_is_missing(real_service):
    answer = real_service.ask("2021年和2025年四平粮食产量分别是多少")
    labels = [(p.label, p.answer.span if p.answer else None) for p in answer.parts]
    assert labels[0] == ("2021年", None)  # no document reports 2021
    assert labels[1][0] == "2025年" and "100亿斤" in labels[1][1]
    cited = answer.hits[answer.parts[1].answer.citation - 1].passage
    assert cited.passage_id == answer.parts[1].answer.passage_id


@pytest.mark.parametrize("question, spans", [
    # two questions joined by "and", the setting before the first shared (fz002, dev)
    ("Compare Siping's high-standard farmland figures: how much had the city built in total by mid-2023, and how "
     "much high-standard farmland construction did it complete in 2024?", ["482万亩", "77.84万亩"]),
    # two things listed after a colon, asked "each" of (fz007, dev)
    ("Siping's October 2024 plenum singled out two big projects being sped up: the Shuangliao power plant Unit 6 "
     "'thermal power + new energy' project and the computing-centre industrial park. What is the total "
     "investment of each?", ["100亿元", "80亿元"]),
    # joined years, one of them in no document
    ("What was Siping's grain output in 2021 and 2025?", [None, "100亿斤"]),
])
def test_an_english_comparison_answers_each_part(real_service, question, spans):
    answer = real_service.ask(question)
    got = [p.answer.span if p.answer else None for p in answer.parts]
    assert len(got) == len(spans) and all(s is None if e is None else e in s for s, e in zip(got, spans)), got
    for part in answer.parts:
        if part.answer is not None:
            cited = answer.hits[part.answer.citation - 1].passage
            assert cited.passage_id == part.answer.passage_id
            assert cited.text[part.answer.span_start:part.answer.span_end] == part.answer.span
            raw = real_service.documents[cited.doc_id].raw
            assert layout_text(raw, cited.start, cited.end) == cited.text  # the offsets point into the raw file


@pytest.mark.parametrize("question, spans", [
    # two figures asked in one clause, each with its question word (not in the gold set)
    ("2022年四平办理了多少件人大代表建议和多少件政协提案", ["62件", "148件"]),
    ("2024年四平开复工5000万元以上项目多少个、计划总投资多少", ["261个", "873.5亿元"]),
])
def test_figures_asked_one_after_another_in_one_clause_are_answered_each(real_service, question, spans):
    answer = real_service.ask(question)
    got = [p.answer.span if p.answer else None for p in answer.parts]
    assert len(got) == len(spans) and all(s is not None and e in s for s, e in zip(got, spans)), got


def test_metric_comparison_answers_each_metric(real_service):
    body = answer_to_dict(real_service.ask("2025年四平农业总产值和粮食产量分别是多少"))
    spans = [p["answer"]["span"] for p in body["parts"]]
    assert "388亿元" in spans[0] and "100亿斤" in spans[1]
    for part in body["parts"]:
        passage = body["passages"][part["answer"]["citation"] - 1]
        assert passage["passage_id"] == part["answer"]["passage_id"]


def test_things_joined_before_a_comma_each_get_what_the_next_clause_asks(real_service):
    """四平电厂和双辽电厂，装机分别多少千瓦: two things, and the 装机 of each (not a third part); a
    figure a work report puts forward (提出) is a target, which its plan section gives."""
    body = answer_to_dict(real_service.ask("2023年政府工作报告提出的四平电厂和双辽电厂，装机分别多少千瓦"))
    assert [p["label"][-4:] for p in body["parts"]] == ["四平电厂", "双辽电厂"]
    assert [p["answer"]["span"] for p in body["parts"]] == ["35万千瓦", "66万千瓦"]
    for part in body["parts"]:
        passage = body["passages"][part["answer"]["citation"] - 1]
        assert passage["passage_id"] == part["answer"]["passage_id"]
