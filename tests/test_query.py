"""Question analysis on real phrasings: years, periods, question type, unit, synonyms, plans."""
from __future__ import annotations

import datetime as dt

import pytest

from qa_service.search.tokenizer import content_words, tokenize
from qa_service.qa.analysis import analyse

REF = dt.date(2025, 3, 1)  # anchors 去年/今年/明年


def a(question: str):
    return analyse(question, reference_date=REF)


# --- years --------------------------------------------------------------------------------


@pytest.mark.parametrize("question, years", [
    ("2024年前三季度GDP是多少", (2024,)),
    ("2022 年新建高标准农田多少亩", (2022,)),
    ("2022年和2023年的地区生产总值分别是多少", (2022, 2023)),
    ("去年粮食产量是多少", (2024,)),
    ("前年新增就业多少人", (2023,)),
    ("今年计划新建多少个5G基站", (2025,)),
    ("明年要新建多少个5G基站", (2026,)),
    ("十五五期间的目标是什么", (2026, 2027, 2028, 2029, 2030)),
    ("“十四五”时期粮食产量如何", (2021, 2022, 2023, 2024, 2025)),
    ("四平市委书记是谁", ()),
    ("前三季度地区生产总值是451.83亿元吗", ()),  # figures are no years
    ("23年四平农业总产值大概有多少亿啊", (2023,)),  # the short year of speech
    ("22年和24年四平粮食产量各是多少", (2022, 2024)),
    ("24年 四平 高标准农田", (2024,)),
    ("面对东辽河超20年一遇洪水，四平实现了怎样的防汛成效", ()),  # spans of years, not years
    ("30年来四平GDP翻了几番", ()),
    ("用10年时间建成什么", ()),
    ("95年四平粮食产量是多少", ()),  # not 2095, and not guessed to be 1995
])
def test_years(question, years):
    assert a(question).years == years


def test_relative_years_follow_the_reference_date():
    assert analyse("去年粮食产量是多少", reference_date=dt.date(2023, 12, 31)).years == (2022,)
    assert analyse("去年粮食产量是多少", reference_date=dt.date(2024, 1, 1)).years == (2023,)


@pytest.mark.parametrize("question", ["粮食产量能否突破2000万吨", "全市有2025个村吗"])
def test_quantities_are_not_years(question):
    assert a(question).years == ()


# --- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize("question, period", [
    ("2024年前三季度GDP是多少", "前三季度"),
    ("2023年上半年地区生产总值增长多少", "上半年"),
    ("2024年全年粮食产量是多少", "全年"),
    ("2024年一季度外贸增长多少", "一季度"),
])
def test_periods(question, period):
    assert period in a(question).periods


def test_no_period():
    assert a("2022年粮食产量是多少").periods == ()


def test_first_three_quarters_is_not_the_third_quarter():
    assert a("2024年前三季度GDP是多少").periods == ("前三季度",)


@pytest.mark.parametrize("question", ["2024年第四季度工作重点是什么", "2024年第4季度工作重点是什么",
                                      "2024年四季度工作重点是什么"])
def test_a_quarter_with_its_ordinal_is_the_quarter_the_reports_name(question):
    # the corpus writes 当前已进入四季度: 第四季度 is that period, not a concept a passage must name
    analysis = a(question)
    assert analysis.periods == ("四季度",)
    assert not any("季度" in w for g in analysis.term_groups for w in g)


def test_the_present_is_a_setting_not_a_topic():
    # 眼下, 当下, 当前, 如今 say "now" as 现在 and 目前 do: no passage must contain them
    for word in ("眼下", "当下", "当前", "如今", "现在", "目前"):
        assert a(f"{word}四平要抓好什么工作").term_groups == a("四平要抓好什么工作").term_groups, word


# --- question type and unit ---------------------------------------------------------------


@pytest.mark.parametrize("question, qtype", [
    ("2022年粮食产量是多少", "how_much"),
    ("2024年前三季度GDP增长多少", "how_much"),
    ("四平市委书记是谁", "who"),
    ("本版撰稿记者叫什么名字", "who"),
    ("2023年主要目标有哪些", "list"),
    ("八大行动包括什么", "list"),
    ("全会什么时候召开", "when"),
    ("市委八届八次全会哪天召开", "when"),
    ("哪个县获评全国文明城市", "which"),
    ("四平获得了什么称号", "which"),
    ("如何推进乡村振兴", "plan"),
    ("梨树模式是什么", "what"),
    # 这几/那几 are demonstratives ("those years"), not 几 asking a number
    ("十五五那几年四平打算咋帮衬民营企业", "plan"),
    ("这几年四平GDP增长了多少", "how_much"),
    ("四平这几个开发区在全省排第几", "how_much"),
    ("这几个开发区里哪个发展最快", "which"),
])
def test_question_type(question, qtype):
    assert a(question).qtype == qtype


def test_colloquial_fillers_are_no_concepts():
    # jieba tags 搞了个 as a noun and 这块 as a pronoun; the question is about 灯光秀 and 供水
    words = {w for g in a("叶赫那拉城晚上搞了个啥新花样").term_groups for w in g}
    assert "搞了个" not in words and "叶赫那拉" in words
    words = {w for g in a("四平往后农村吃水这块想弄到个啥样").term_groups for w in g}
    assert not words & {"这块", "往后", "样", "啥样"} and "农村" in words
    words = {w for g in a("市里想培育的医药大品种有哪些").term_groups for w in g}
    assert "市里" not in words and "医药" in words


@pytest.mark.parametrize("question, unit", [
    ("2022年新建高标准农田多少亩", "area"),
    ("梨树模式推广了多少万亩", "area"),  # by the explicit unit alone
    ("2024年前三季度外贸增长多少", "percent"),
    ("2022年规上工业增加值增长多少", "percent"),
    ("四平GDP在全省排第几", "rank"),
    ("2022年新增就业多少人", "people"),
    ("2022年粮食实现了几连丰", "streak"),
    ("2024年前三季度GDP是多少", "money"),  # by the metric's meaning: GDP is money
    ("2022年粮食产量是多少", "grain"),
    ("2023年计划新建多少公里道路", "length"),
    ("明年要新建多少个5G基站", "count"),
    ("2022年接待游客多少万人次", "visits"),
    ("比全省平均水平高多少个百分点", "points"),
    # a growth word asks for a rate, whatever the metric counts, unless a unit is named
    ("2023年上半年红色文旅游客同比增长多少", "percent"),
    ("2023年红色文旅接待游客多少", "visits"),
    ("游客增长了多少万人次", "visits"),
    ("参保人数同比增长多少", "percent"),
    ("参保人数是多少", "people"),
    ("到位资金 同比增长 2023年上半年", "percent"),  # a keyword query: 同比 asks for a figure
    # colloquial: 涨 for 增长, 排老几 for 排第几
    ("产值营收每年打算涨多少", "percent"),
    ("做外贸的涨幅在全省排老几", "rank"),
    ("物价涨了多少钱", "money"),  # a named unit still wins
    ("那个数字普惠金融给农户放了多少贷款", "money"),  # 那个数字 is 那个 + 数字, not 个数 (a count)
    ("以旧换新拉动了多少消费额", "money"),  # 额: an amount of money
    ("今年招生名额有多少", None),  # but 名额 is a quota, not money
    ("合作社的个数是多少", "count"),
    ("全社会研发投入强度达到多少", "percent"),  # an intensity is a ratio, though 投入 names money
    ("单位GDP能耗强度下降了多少", "percent"),
    ("四平GDP增速连续几年排名全省第一方阵", "duration"),  # 几年 asks the years, though a rank is named
])
def test_unit(question, unit):
    analysis = a(question)
    assert analysis.qtype == "how_much"
    assert analysis.unit == unit


@pytest.mark.parametrize("question, unit", [
    # "how many" asks a count of the noun it names: a money topic (投资) does not make it money
    ("How many investment projects did Siping sign in 2025?", "count"),
    ("How many tourists did Siping receive in 2022?", "visits"),  # unless the topic is counted
    ("How many people found new jobs in 2024?", "people"),
    ("How many mu of high-standard farmland were built in 2024?", "area"),  # or a unit is named
    ("How many kilometres of heating pipes were renovated?", "length"),
    ("How much investment did Siping attract in 2023?", "money"),  # "how much" reads the topic
    ("What was the R&D investment intensity of Jilin in 2023?", "percent"),
    ("For how many years running had Siping's GDP growth ranked in Jilin's top tier?", "duration"),
])
def test_unit_of_an_english_question(question, unit):
    assert a(question).unit == unit


@pytest.mark.parametrize("question", ["四平市委书记是谁", "全会什么时候召开", "2023年主要目标有哪些"])
def test_unit_only_for_how_much_questions(question):
    assert a(question).unit is None


# --- synonyms -----------------------------------------------------------------------------


def test_gdp_expands_to_the_corpus_term():
    analysis = a("2024年前三季度GDP是多少")
    assert "地区生产总值" in analysis.expansions
    assert "GDP" not in analysis.expansions  # the question already says it
    group = next(g for g in analysis.term_groups if "GDP" in g)
    assert "地区生产总值" in group
    assert "（地区生产总值）" in analysis.dense_text
    assert analysis.dense_text.startswith("2024年前三季度GDP是多少")
    assert "地区生产总值" in analysis.search_tokens


def test_foreign_trade_expands_to_imports_and_exports():
    analysis = a("2024年前三季度外贸增长多少")
    assert "进出口总额" in analysis.expansions
    assert "进出口" in analysis.expansions
    assert any("外贸" in g and "进出口总额" in g for g in analysis.term_groups)


def test_no_expansion_without_a_synonym():
    analysis = a("四平市委书记是谁")
    assert analysis.expansions == ()
    assert analysis.dense_text == "四平市委书记是谁"


# --- plans vs results ---------------------------------------------------------------------


@pytest.mark.parametrize("question, asks_plan", [
    ("2023年的目标是多少", True),
    ("2023年计划新建多少公里道路", True),
    ("明年要新建多少个5G基站", True),
    ("2023年要实现什么目标", True),
    ("市委经济工作会议要求2023年市本级财政收入增长多少", True),  # gold Q134: 要求 is a target
    ("2023年政府工作报告提出新增城镇就业多少人", True),  # what a report puts forward is a target
    ("2022年粮食产量是多少", False),
    ("2024年前三季度GDP是多少", False),
    ("2022年新建高标准农田多少亩", False),
    # 想 wanting asks for a plan (colloquial); 想 inside 思想, 理想, 想法 does not
    ("23年四平想让多少户企业落进园区啊", True),
    ("四平想把冶金建材搞成多大的产业基地", True),
    ("2022年四平开展了多少场新思想宣讲", False),
    ("2022年四平有多少个理想信念教育基地", False),
])
def test_asks_plan(question, asks_plan):
    assert a(question).asks_plan is asks_plan


def test_a_plan_period_not_over_yet_asks_for_targets():
    """Before 2031 the 十五五 has only targets: a question about it asks for one, as 计划 would; the
    十四五, over by 2026, has results."""
    question = "十五五时期四平各开发区集中发展的主导产业不超过几个"
    assert analyse(question, reference_date=dt.date(2026, 11, 24)).asks_plan
    assert not analyse(question, reference_date=dt.date(2031, 2, 1)).asks_plan
    assert not analyse("十四五期间四平新建了多少公里农村公路", reference_date=dt.date(2026, 11, 24)).asks_plan


@pytest.mark.parametrize("question", ["2022年主要经济指标增长多少", "2022年全市重要荣誉有哪些",
                                      "主要领导是谁"])
def test_zhuyao_is_not_a_plan(question):
    assert a(question).asks_plan is False


@pytest.mark.parametrize("question", ["四平计划建立什么联盟", "四平打算建立什么联盟", "2023年力争新建多少个项目"])
def test_a_word_that_only_marks_a_plan_is_a_verb_not_a_concept(question):
    """计划 in 四平计划建立什么联盟 says a plan is asked about: the answer (谋划建立…联盟) need not
    say 计划, and a sentence naming another thing's 计划 (肉牛倍增计划) is no better for having it."""
    analysis = a(question)
    assert analysis.asks_plan
    assert not any(set(g) & {"计划", "打算", "力争"} for g in analysis.term_groups)
    assert any(set(g) & {"计划", "打算", "力争"} for g in analysis.predicates)


@pytest.mark.parametrize("question", ["What industrial base worth 30 billion yuan does Siping aim to build?",
                                      "How many companies was each county expected to bring into the parks in 2023?",
                                      "Which grid project did Siping want to fast-track in late 2023?",
                                      "What was the minimum share of river sections that had to have good water?"])
def test_english_verbs_of_wanting_and_aiming_ask_for_a_plan_and_name_no_concept(question):
    analysis = a(question)
    assert analysis.asks_plan
    assert not any(set(g) & {"目标", "计划", "力争", "预期"} for g in analysis.term_groups)


def test_a_word_that_only_marks_a_result_is_a_verb_not_a_concept():
    """实际 in 2024年实际开复工多少个项目 says a result is asked about: the answer (全市开复工5000万元以上
    项目261个) does not say 实际."""
    analysis = a("2024年实际四平开复工5000万元以上项目有多少个")
    assert not any("实际" in g for g in analysis.term_groups)
    assert any("实际" in g for g in analysis.predicates)


# --- content terms ------------------------------------------------------------------------


def test_terms_leave_out_question_words_and_years():
    analysis = a("2022年粮食产量是多少")
    assert "粮食产量" in analysis.terms
    for word in ("多少", "是", "2022", "年"):
        assert word not in analysis.terms
    who = a("四平市委书记是谁")
    assert {"四平", "市委书记"} <= set(who.terms)
    for word in ("谁", "是谁", "是"):
        assert word not in who.terms
        assert all(word not in g for g in who.term_groups)


def test_domain_terms_stay_whole():
    analysis = a("2022年新建高标准农田多少亩")
    assert "高标准农田" in analysis.terms
    assert any(g[0] == "高标准农田" for g in analysis.term_groups)
    assert "高标准农田" in tokenize("2022年新建高标准农田多少亩", search=False)
    words = content_words("2022年新建高标准农田多少亩")
    assert "高标准农田" in words
    assert "多少" not in words and "亩" not in words


def test_term_groups_are_concepts_without_duplicates():
    analysis = a("2024年前三季度GDP是多少")
    # GDP's synonym group once, 前三季度 as its own concept; no bare pieces such as 季度
    assert analysis.term_groups[0][0] == "GDP"
    assert ("前三季度",) in analysis.term_groups
    flat = [w for g in analysis.term_groups for w in g]
    assert "季度" not in flat and "多少" not in flat
    assert len(flat) == len(set(flat))


def test_rank_question_word_is_not_a_term():
    assert "第几" not in a("四平GDP在全省排第几").terms


def test_question_is_stripped():
    assert a("  2024年GDP是多少 \n").question == "2024年GDP是多少"


def test_figures_read_units_of_power_and_bracketed_classifiers_but_no_years():
    from qa_service.lexicon.patterns import FIGURE

    def found(text):
        return [m.group(0) for m in FIGURE.finditer(text)]

    assert found("推进四平电厂35万千瓦、双辽电厂66万千瓦项目建设") == ["35万千瓦", "66万千瓦"]
    assert found("全社会用电量12.5亿千瓦时") == ["12.5亿千瓦时"]
    assert found("推动畜禽养殖总量向8000万头（只）迈进") == ["8000万头（只）"]
    assert found("市委宣讲团宣讲61场（次）") == ["61场（次）"]  # document 000
    assert found("38个产品（服务）入选2024年全省首批") == ["38个"]  # neither 2024年 nor 024年
    assert found("空气质量连续6年达标，历时3年") == ["连续6年", "3年"]
    assert analyse("双辽电厂装机多少千瓦").unit == "power"
    assert analyse("双辽电厂装机规模").unit == "power"


def test_a_count_asked_with_gerenshu_and_domain_parts_of_speech():
    # 个数 asks for a count and is no topic a passage must contain
    keyword = analyse("千村美丽村 创建 个数 2024")
    assert (keyword.qtype, keyword.unit) == ("how_much", "count")
    assert not any("个数" in group for group in keyword.term_groups)
    # jieba tags 信访 (petitions) a verb and 一共 (in all) an abbreviation: the domain dictionary
    # makes the first a topic and the second a function word
    assert content_words("去年四平一共解决了多少件信访问题") == ["四平", "信访", "问题"]


def test_a_bracketed_alternative_character_is_read_both_ways(passages):
    """The corpus writes 每个乡（镇） and 各县（市）区: a question's 乡镇, 乡 or 县区 is found there."""
    from qa_service.lexicon.patterns import alternatives_read
    from qa_service.qa.signals import ScoringContext

    sentence = next(s for p in passages for s in p.text.split("，") if "乡（镇）" in s and "农机" in s)
    ctx = ScoringContext(documents={}, doc_freq={}, n_passages=100)
    assert ctx.coverage(sentence, a("2023年每个乡镇建几个农机服务中心")) == 1.0
    read = alternatives_read("各县（市）区、开发区")
    assert "县市区" in read and "县区" in read and "各县（市）区" in read
    assert alternatives_read("产品（服务）入选") == "产品（服务）入选"  # a bracketed word is a gloss, not a character
