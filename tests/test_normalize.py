"""Question normalisation (traditional, English, homophones) and comparison parts, on small
hand-made inputs; the real-corpus behaviour is in test_styles.py."""
from __future__ import annotations

import datetime as dt

import pytest

from qa_service.qa.analysis import analyse
from qa_service.qa.normalize import HomophoneReader, gloss_english, is_english, to_simplified
from qa_service.qa.parts import english_parts, question_parts, split_parts
from qa_service.qa.pipeline import Result, combine_parts
from qa_service.types import AnswerSpan, Hit, Passage

VOCAB = ["就业", "粮食产量", "目标", "项目", "市委书记", "各市", "地级"]
TEXT = "全市新增城镇就业19293人。全市粮食产量达到100亿斤。"


def test_traditional_becomes_simplified_and_says_so():
    text, rewrites = to_simplified("2024年四平糧食產量是多少")
    assert text == "2024年四平粮食产量是多少"
    assert rewrites[0].reason == "traditional" and rewrites[0].original == "2024年四平糧食產量是多少"
    assert to_simplified("四平粮食产量") == ("四平粮食产量", ())


def test_homophone_of_exactly_one_corpus_word_is_read_as_it():
    reader = HomophoneReader(VOCAB, TEXT)
    text, rewrites = reader.read("2022年四平新增就叶多少人")
    assert text == "2022年四平新增就业多少人"
    assert [(r.original, r.replacement, r.reason) for r in rewrites] == [("就叶", "就业", "homophone")]


def test_homophone_reader_leaves_real_words_particles_and_interrogatives():
    reader = HomophoneReader(VOCAB, TEXT)
    for question in ("外贸增速全省排第几",  # 第几 ≠ 地级: an interrogative
                     "2022年和2024年GDP各是多少",  # 各是 ≠ 各市: a word and a particle
                     "四平粮食产量是多少"):  # nothing mistyped
        assert reader.read(question) == (question, ())


def test_a_typo_ending_in_a_particle_needs_the_corpus_to_say_it_with_a_neighbour():
    reader = HomophoneReader(["厕所", "各市"], "改造农村厕所3000个。各市州比例。")
    assert reader.read("改造了多少个农村测所")[1][0].replacement == "厕所"  # 农村厕所 is in the text
    assert reader.read("空气优良天数比例各是多少")[1] == ()  # 比例各市, 各市多少: nowhere


def test_characters_jieba_leaves_apart_are_one_word_where_the_corpus_writes_them_together():
    # real corpus phrases: 纠治“四风”问题, 对俄开放合作专班, 普惠性民办幼儿园, 大思政课
    text = "纠治“四风”问题56个。发挥对俄开放合作专班作用。新认定普惠性民办幼儿园。大思政课实践教学基地。"
    reader = HomophoneReader([], text)
    assert reader.joined_words(["纠治", "四", "风", "问题"]) == ["四风"]
    assert reader.joined_words(["大", "思", "政", "课"]) == ["大思政课"]  # the longest the corpus has
    assert reader.joined_words(["四平", "国", "控"]) == []  # not in this text; two-character words never join
    analysis = analyse("2022年四平普惠性民办幼儿园新认定多少所", reference_date=dt.date(2025, 1, 1), reader=reader)
    assert ("普惠性",) in analysis.term_groups and ("性",) not in analysis.term_groups


def test_a_name_spelt_in_pinyin_is_read_as_the_corpus_writes_it():
    text = "推动巨元换热器与一汽解放开展技术合作。“平信办”小程序获奖。接访群众。"
    reader = HomophoneReader([], text)
    question, rewrites = reader.read_names("What did Juyuan Heat Exchanger and the Ping Xin Ban app do?")
    assert question == "What did 巨元 Heat Exchanger and the 平信办 app do?"
    assert [(r.original, r.replacement, r.reason) for r in rewrites] == [
        ("Juyuan", "巨元", "homophone"), ("Ping Xin Ban", "平信办", "homophone")]
    # two strings sound alike (解放, 接访): no reading; hyphenated English words stay as written
    assert reader.read_names("Which market did Jiefang want?") == ("Which market did Jiefang want?", ())
    assert reader.read_names("What does the Five-Year Plan say?")[0] == "What does the Five-Year Plan say?"


def test_homophone_with_two_corpus_words_is_left_alone():
    reader = HomophoneReader(["就业", "旧业"], TEXT)
    assert reader.read("新增就叶多少人")[1] == ()


def test_of_two_corpus_words_with_one_sound_the_one_said_beside_the_neighbour_is_read():
    """城事 sounds like 城市, 成事, 成势 and 乘势 (document 001): the corpus says 示范城市, so a
    question about a 示范城事 means 城市; with no neighbour the corpus says it beside, nothing is read."""
    reader = HomophoneReader(["城市", "成事", "成势", "乘势"], "加快创建国家食品安全示范城市。干事成事。")
    assert reader.read("要加快创建哪个国家级示范城事")[1][0].replacement == "城市"
    assert reader.read("哪个城事")[1] == ()


def test_english_question_is_glossed_into_corpus_terms():
    assert is_english("How much did Siping's GDP grow in the first half of 2023?")
    assert not is_english("四平 gdp 2024")
    glossed, rewrites, translated = gloss_english("How many people did Siping's new urban jobs reach in 2022?")
    assert "多少人" in glossed and "城镇新增就业" in glossed and "2022年" in glossed
    assert rewrites[0].reason == "english" and translated == ()  # no dictionary given
    assert "5000万" in gloss_english("projects over 50 million yuan in 2024")[0]
    assert "1亿元" in gloss_english("projects worth over 100 million yuan")[0]  # not 10000万元
    assert "300亿元" in gloss_english("an industrial base worth 30 billion yuan")[0]
    # measure words after a number are the Chinese classifier, thousands are counted in 万, and a
    # 10,000-X compound is the scale word 万X (a 10,000-head farm, 万头); 2000 tonnes is no year
    assert "20万吨" in gloss_english("the 200,000-tonne green methanol project")[0]
    assert "2.5亿元" in gloss_english("a 250,000,000 yuan project")[0]  # 亿 as for 250 million
    assert "3000吨" in gloss_english("What chemical is the 3,000-tonne-a-year project?")[0]
    assert "万头" in gloss_english("three 10,000-head beef cattle parks")[0]
    assert "万亩" in gloss_english("zones at the 10,000-mu scale")[0]
    assert "2000吨" in gloss_english("2000 tonnes of grain")[0] and "2000年" not in gloss_english("2000 tonnes of grain")[0]
    assert "580户" in gloss_english("How many of the 580 households?")[0]
    # the general report vocabulary: 续建 (continuing), 在建 (under construction), 省级 (not 省委)
    assert "续建项目" in gloss_english("How many continuing projects did the report list?")[0]
    assert "在建" in gloss_english("projects under construction")[0]
    assert "省级" in gloss_english("a provincial-level model school")[0]


def test_a_glossary_noun_stands_for_its_plural_and_no_plural_means_another_word():
    """``data/synonyms.json`` names a noun once; its plural reads the same (park and parks → 园区),
    and an entry the file gives in both numbers gives both the same corpus term."""
    import json
    from importlib import resources

    from qa_service.lexicon.synonyms import english_terms, plural

    terms = english_terms()
    assert terms["parks"] == terms["park"] == "园区" and terms["roads"] == terms["road"]
    assert terms["pocket parks"] == "口袋公园" and terms["urban parks"] == "城市公园"
    assert plural("community") == "communities" and plural("survey") == "surveys"
    assert "gases" not in terms and "buse" not in terms  # no plural made of a word in s, no singular guessed
    raw = {k.lower(): v for k, v in json.loads((resources.files("qa_service") / "data" / "synonyms.json")
                                               .read_text(encoding="utf-8"))["english"].items()}
    clashes = {k: (v, raw[p]) for k, v in raw.items()
               if (p := " ".join([*k.split(" ")[:-1], plural(k.split(" ")[-1])])) in raw and raw[p] != v}
    assert clashes == {}
    assert "园区" in gloss_english("How many companies moved into the Changchun-Siping cooperation parks?")[0]


def test_english_cue_words_are_read_in_any_inflection():
    """The cue table lists a word's base form; its inflections read the same (aiming → aim →
    力争), so a question about a target asks for one ("… aiming to finish in 2023")."""
    assert "力争" in gloss_english("Which facility was Siping aiming to finish building in 2023?")[0]
    assert "目标" in gloss_english("What targets did Siping set for 2023?")[0]
    assert "增长" in gloss_english("By how much did output rise in 2022, and why does it keep rising?")[0]
    analysis = analyse("Which facility was Siping aiming to finish building in 2023?",
                       reference_date=dt.date(2025, 1, 1))
    assert analysis.asks_plan
    assert "目标" not in gloss_english("Which national pilot was Siping selected for?")[0]


def test_english_what_noun_asks_for_the_kind_its_head_names(passages):
    """"What <noun phrase> <verb>" asks for a thing of the kind the phrase's last noun names:
    什么 goes before that noun, as Chinese writes it, and the answer clause is the one naming it."""
    from qa_service.lexicon.dictionary import EnglishDictionary
    from qa_service.qa.signals import ScoringContext
    from qa_service.qa.spans import pick_clause
    from qa_service.search.tokenizer import default_tokenizer

    tok = default_tokenizer()
    dictionary = EnglishDictionary({t for p in passages for t in tok.tokenize(p.text)},
                                   "\n".join(p.text for p in passages), segment=tok.words)
    question = "What production base does Siping plan to build with its new materials industry?"
    glossed = gloss_english(question, dictionary)[0]
    assert "什么基" in glossed and not glossed.startswith("多少")  # production is no quantity here
    # the phrase ends at a preposition: the programme, not the parks, is asked for
    assert "什么公园" not in gloss_english("What national pilot programme concerning urban parks was "
                                          "Siping selected for?", dictionary)[0]
    assert gloss_english("What growth did Siping's GDP see in 2023?")[0].startswith("多少")  # a quantity
    assert gloss_english("What share of matters is covered?")[0].startswith("百分之多少")  # a cue phrase
    sentence = next(s for p in passages for s in p.text.split("。") if "打造吉林省基础化工生产基地" in s)
    analysis = analyse(question, dictionary=dictionary, reference_date=dt.date(2025, 1, 1))
    start, end = pick_clause(sentence, analysis, ScoringContext(documents={}, doc_freq={}, n_passages=1))
    assert "基地" in sentence[start:end]


def test_english_what_was_asks_a_figure_only_of_a_quantity():
    """"What was/is …" asks how much when its noun is a quantity, else what thing."""
    assert analyse("What was Siping's GDP in 2024?", reference_date=dt.date(2025, 1, 1)).qtype == "how_much"
    assert gloss_english("What is the generating capacity of the power plant?")[0].startswith("多少")
    assert gloss_english("What was the total planned investment of the projects?")[0].startswith("多少")
    # the noun ends at a preposition: "investment" after "of" names no quantity asked
    assert gloss_english("What was the slogan of the investment fair held in 2023?")[0].startswith("什么")
    assert analyse("What is the name of the new park?", reference_date=dt.date(2025, 1, 1)).qtype != "how_much"


def test_english_which_asks_for_one_thing_or_several_by_the_number_of_its_noun():
    one = ("Which mini-program won a national public service award?",
           "Which road reconstruction project was opened to traffic along its entire length?",
           "In which city did Siping hold its talent symposium?",
           "Which national public brand ranking did Siping corn make it onto?",
           # a participle clause (serving the central cities) ends the noun phrase: its plural is not the head
           "Which water-diversion pipeline serving the central cities was connected to Siping in 2024?")
    several = ("Which cooperation projects did the plenary session ask to speed up?",
               "Which two hospitals in Yitong became provincial pilots?",
               "Which of Siping's existing strengths does the plan want to upgrade?")
    assert all(analyse(q).qtype == "which" for q in one)
    assert all(analyse(q).qtype == "list" for q in several)


def test_an_english_count_after_which_or_what_is_the_number_of_items_asked():
    """which two …, what four-step … ask for a list of that many items, as 哪两个, 哪四个 do."""
    from qa_service.qa.spans.lists import list_count
    for question, count in (("Which two industrial chains did Siping single out for extending?", 2),
                            ("What four-step working approach did the 2023 report set out?", 4),
                            ("Under the plan, what three things must people do?", 3),
                            ("Which ten villages were named?", 10)):
        glossed = gloss_english(question)[0]
        assert list_count(glossed) == count, glossed
        assert analyse(question).qtype == "list"
    # no count: several, both, a plural, or a number that is no count of the noun (which 2024 project)
    for question in ("Which cooperation projects did the plenary ask to speed up?",
                     "Which of both parks was built first?", "What growth did GDP see in 2024?"):
        assert list_count(gloss_english(question)[0]) is None


def test_english_which_stands_before_the_head_noun_as_in_chinese():
    """which Shuangliao park → 双辽哪个园区 (Chinese puts the question word before the head, so
    the kind asked is read from what follows it); a possessive is the head: which bridge's road
    surface asks for a bridge."""
    from qa_service.qa.normalize import _before_head
    assert _before_head(" shuangliao park did siping hope", "哪个") == "shuangliao 哪个 park did siping hope"
    assert _before_head(" bridge's road surface was renovated", "哪个") == "哪个 bridge's road surface was renovated"
    assert _before_head(" did siping", "哪个") == "哪个 did siping"  # no noun: the word stays first


def test_which_asks_for_a_thing_even_where_a_metric_is_named():
    assert analyse("四平玉米进入了哪个品牌排名").qtype == "which"
    assert analyse("哪个县的粮食产量是多少").qtype == "how_much"  # the figure is asked too
    assert analyse("四平在全省排名第几").qtype == "how_much"


def test_english_analysis_asks_like_the_chinese_one():
    a = analyse("How much did Siping's GDP grow in the first half of 2023?")
    assert a.years == (2023,) and a.periods == ("上半年",) and a.qtype == "how_much" and a.unit == "percent"
    assert any("地区生产总值" in g for g in a.term_groups)
    assert a.dense_text.startswith("How much did Siping's GDP grow")  # the model reads the English


@pytest.mark.parametrize("period, chinese", [("first quarter", "一季度"), ("second quarter", "二季度"),
                                             ("third quarter", "三季度"), ("fourth quarter", "四季度"),
                                             ("first three quarters", "前三季度")])
def test_english_quarters_are_the_reports_quarters(period, chinese):
    assert analyse(f"What was Siping's GDP in the {period} of 2024?").periods == (chinese,)


def test_acreage_asks_an_area():
    assert analyse("How much fresh-eating corn acreage had Siping put in place by mid-2023?").unit == "area"


def test_an_english_session_of_a_term_is_read_in_chinese_order():
    question = "On what date was the 11th plenary session of the 8th Siping Municipal Party Committee convened?"
    assert "八届十一次全会" in gloss_english(question)[0]
    assert analyse(question).sessions == ("八届十一次",)  # so the check for the session applies


def test_an_english_rate_asks_a_share_and_a_value_asks_money():
    assert analyse("What was Siping's resolution rate for backlogged petition cases in 2024?").unit == "percent"
    assert analyse("What was Siping's forest coverage rate in 2022?").unit == "percent"
    assert analyse("2024年四平外贸进出口总价值是多少").unit == "money"  # 价值 names an amount of money


def test_year_comparison_splits_into_one_question_per_year():
    parts = split_parts("2022年、2023年上半年和2024年四平适度规模经营比重分别是多少")
    assert [p.label for p in parts] == ["2022年", "2023年上半年", "2024年"]
    assert parts[1].question == "2023年上半年四平适度规模经营比重是多少"


def test_compared_times_keep_their_target_or_result_word():
    parts = split_parts("2023年计划和2024年实际，四平绿化村屯各是多少个")
    assert [(p.label, p.question) for p in parts] == [
        ("2023年计划", "2023年计划，四平绿化村屯是多少个"), ("2024年实际", "2024年实际，四平绿化村屯是多少个")]


def test_metric_comparison_splits_and_keeps_the_shared_context():
    parts = split_parts("2025年四平农业总产值和粮食产量分别是多少")
    assert [(p.label, p.question) for p in parts] == [
        ("农业总产值", "2025年四平农业总产值是多少"), ("粮食产量", "2025年四平粮食产量是多少")]
    # a clause before the one that names the things compared sets the scene for each; it is no part
    parts = split_parts("八届六次全会部署的改革里，经济领域改革和社会领域改革分别要起到什么作用")
    assert [(p.label, p.question) for p in parts] == [
        ("经济领域改革", "八届六次全会部署的改革里经济领域改革要起到什么作用"),
        ("社会领域改革", "八届六次全会部署的改革里社会领域改革要起到什么作用")]
    # things listed with commas alone are still the parts
    assert [p.label for p in split_parts("2024年四平粮食产量，GDP分别是多少")] == ["粮食产量", "GDP"]
    # … also when a comma closes the things compared (…种子企业，各点名了哪些)
    parts = split_parts("2023年中小企业成长工程里，引导提产扩能的样本企业和支持加大研发的种子企业，各点名了哪些")
    assert [p.label for p in parts] == ["引导提产扩能的样本企业", "支持加大研发的种子企业"]
    # a modifier before the first thing named is said once for both
    parts = split_parts("“十五五”要建设的活力之城和美丽之城，各自被描述成怎样的城市")
    assert parts[1].question == "“十五五”要建设的美丽之城被描述成怎样的城市"
    # things joined before a comma, then what is asked of each: two parts, not three
    parts = split_parts("2025年四平农业总产值和粮食产量，增速分别是多少")
    assert [(p.label, p.question) for p in parts] == [
        ("农业总产值", "2025年四平农业总产值，增速是多少"), ("粮食产量", "2025年四平粮食产量，增速是多少")]


def test_two_questions_about_two_times_split_and_share_what_the_first_asks_about():
    parts = split_parts("四平GDP增速：2023年上半年是多少，2024年前三季度又是多少")  # a topic before the colon
    assert [(p.label, p.question) for p in parts] == [
        ("2023年上半年是多少", "四平GDP增速2023年上半年是多少"),
        ("2024年前三季度又是多少", "四平GDP增速2024年前三季度又是多少")]
    # leading clauses that ask nothing are the topic too
    parts = split_parts("“美丽农村路”的乡镇覆盖率，2022年是多少？2024年又是多少？")
    assert [p.question for p in parts] == ["“美丽农村路”的乡镇覆盖率2022年是多少", "“美丽农村路”的乡镇覆盖率2024年又是多少"]
    # no topic: the later clause shares the first one's subject, less its plan words …
    parts = split_parts("2024年四平城镇新增就业的目标是多少人，前三季度实际完成了多少")
    assert parts[1].question == "2024年四平城镇新增就业前三季度实际完成了多少"
    # … and less its year when the clause names its own
    parts = split_parts("四平2022年高标准农田建了多少万亩，2023年计划建多少万亩")
    assert [p.question for p in parts] == ["四平2022年高标准农田建了多少万亩", "四平高标准农田建2023年计划建多少万亩"]
    parts = split_parts("四平2022年造林绿化了多少亩，2023年计划绿化美化多少亩")  # its own subject: time and place
    assert parts[1].question == "四平2023年计划绿化美化多少亩"
    # 又 marks a further question; one with a subject of its own shares only the time and place
    parts = split_parts("2024年四平GDP增长了多少，规上工业增加值又增长了多少")
    assert [p.question for p in parts] == ["2024年四平GDP增长了多少", "2024年四平规上工业增加值又增长了多少"]
    parts = split_parts("2023年四平粮食产量是多少，上半年实际又播了多少亩")  # no subject: shares the first's
    assert parts[1].question == "2023年四平粮食产量上半年实际又播了多少亩"
    # the first clause's words after its question word count too, less the unit asked (多少名), and
    # a later clause repeating one of them (服务) has no subject of its own
    parts = split_parts("2022年四平给多少名残疾人做了精准康复服务？2023年计划服务多少人")
    assert parts[1].question == "四平给残疾人做了精准康复服务2023年计划服务多少人"
    # a later clause pointing back (这个中心) is read as the first clause's phrase of that head
    parts = split_parts("2023年政府工作报告对市综合养老示范中心是怎么安排的？到2024年这个中心运行得怎么样")
    assert [(p.label, p.question) for p in parts][1] == ("到2024年这个中心运行得怎么样",
                                                        "到2024年市综合养老示范中心运行得怎么样")
    # a question mark separates two questions as a comma does
    parts = split_parts("2022年四平新建了多少高标准农田？2023年又计划新建多少")
    assert [p.label for p in parts] == ["2022年四平新建了多少高标准农田", "2023年又计划新建多少"]
    assert split_parts("2024年四平GDP是多少？") == []
    # one clause asks, the other only follows up without a time of its own or 又: one question
    assert split_parts("2022年四平安全生产的总体情况怎么样，出过大事故吗") == []
    assert split_parts("四平GDP是多少，增长了多少") == []
    assert split_parts("十五五期间四平搞环保要几样一块儿抓，都是哪几样") == []


def test_times_compared_with_a_comparing_word_split_too():
    assert [p.label for p in split_parts("2023年比2022年四平粮食产量多多少")] == ["2023年", "2022年"]
    assert [p.label for p in split_parts("四平GDP 2022年对比2024年")] == ["2022年", "2024年"]
    # 比 inside a word (比重) joins nothing
    assert [p.label for p in split_parts("四平农业比重和工业比重分别是多少")] == ["农业比重", "工业比重"]


@pytest.mark.parametrize("question, expected", [
    # joined times, each with the period and preposition it was asked with
    ("What were Siping's GDP figures in 2022 and 2024?",
     [("2022", "What were Siping's GDP figures in 2022?"), ("2024", "What were Siping's GDP figures in 2024?")]),
    ("What was the grain output in the first half of 2023 versus the whole of 2024?",
     [("the first half of 2023", "What was the grain output in the first half of 2023?"),
      ("the whole of 2024", "What was the grain output in the whole of 2024?")]),
    # joined questions share the setting before the first; a verbless one borrows the other's verb
    ("By the August 2023 plenum, how many cases had Siping's discipline inspection bodies placed on file, "
     "and how many people had received Party or government disciplinary sanctions?",
     [("how many cases had Siping's discipline inspection bodies placed on file",
       "By the August 2023 plenum, how many cases had Siping's discipline inspection bodies placed on file?"),
      ("how many people had received Party or government disciplinary sanctions",
       "By the August 2023 plenum, how many people had received Party or government disciplinary sanctions?")]),
    ("In 2022, how many suggestions from people's congress deputies and how many CPPCC proposals did the Siping "
     "municipal government handle?",
     [("how many suggestions from people's congress deputies",
       "In 2022, how many suggestions from people's congress deputies did the Siping municipal government handle?"),
      ("how many CPPCC proposals did the Siping municipal government handle",
       "In 2022, how many CPPCC proposals did the Siping municipal government handle?")]),
    # the verbless one's own time and preposition stand for the other's
    ("Compare Siping's GDP: how much was it for the first three quarters of 2024, and how much for the first "
     "half of 2023?",
     [("how much was it for the first three quarters of 2024",
       "Compare Siping's GDP: how much was it for the first three quarters of 2024?"),
      ("how much for the first half of 2023", "Compare Siping's GDP: how much for the first half of 2023 was it?")]),
    ("When it urged Siping to expand domestic demand, what role did the conference assign to investment and "
     "what role to consumption?",
     [("what role did the conference assign to investment",
       "When it urged Siping to expand domestic demand, what role did the conference assign to investment?"),
      ("what role to consumption",
       "When it urged Siping to expand domestic demand, what role to consumption did the conference assign?")]),
    # a later question that names nothing of its own asks about the first's subject and time
    ("How much did GDP grow in 2023 and what was the target?",
     [("How much did GDP grow in 2023", "How much did GDP grow in 2023?"),
      ("what was the target", "what was the target (GDP grow) in 2023?")]),
    # a list of questions (a, b, and c) after a topic; a hedge before the question word
    ("Old compounds in Siping: how many were renovated in 2022, how many projects had been started by mid-2023, "
     "and about how many were to be finished in 2024?",
     [("how many were renovated in 2022", "Old compounds in Siping: how many were renovated in 2022?"),
      ("how many projects had been started by mid-2023",
       "Old compounds in Siping: how many projects had been started by mid-2023?"),
      ("how many were to be finished in 2024", "Old compounds in Siping: how many were to be finished in 2024?")]),
    # a setting that ends in the first question (…, which area …, and which city …)
    ("Under the proposal adopted in December 2025, which metropolitan area is Siping to integrate into, and "
     "which city is it to learn from?",
     [("which metropolitan area is Siping to integrate into",
       "Under the proposal adopted in December 2025, which metropolitan area is Siping to integrate into?"),
      ("which city is it to learn from", "Under the proposal adopted in December 2025, which city is it to learn from?")]),
    # "how did A compare with B": B lends A's words it lacks, not A's word of plan or result
    ("How did the growth of Siping's imports and exports in the first half of 2023 compare with the growth "
     "forecast for the whole of 2025?",
     [("the growth of Siping's imports and exports in the first half of 2023",
       "what was the growth of Siping's imports and exports in the first half of 2023?"),
      ("the growth forecast for the whole of 2025",
       "what was the growth forecast for the whole of 2025 (Siping's imports exports)?")]),
    ("Big projects: how many did Siping start in 2025, compared with the number it planned to start in 2023?",
     [("how many did Siping start in 2025", "Big projects: how many did Siping start in 2025?"),
      ("the number it planned to start in 2023", "Big projects: what was the number it planned to start in 2023 (Siping)?")]),
    # things asked "respectively" or "each" of
    ("What were Siping's agricultural output value and grain output in 2025, respectively?",
     [("agricultural output value", "What were Siping's agricultural output value in 2025?"),
      ("grain output", "What were Siping's grain output in 2025?")]),
    ("The plenum sped up two projects: the Shuangliao power plant Unit 6 project and the computing-centre "
     "industrial park. What is the total investment of each?",
     [("the Shuangliao power plant Unit 6 project",
       "The plenum sped up two projects: the Shuangliao power plant Unit 6 project. What is the total investment?"),
      ("the computing-centre industrial park",
       "The plenum sped up two projects: the computing-centre industrial park. What is the total investment?")]),
])
def test_an_english_comparison_is_cut_in_english(question, expected):
    assert [(p.label, p.question) for p in english_parts(question)] == expected


@pytest.mark.parametrize("question", [
    "How many projects did Siping start between 2022 and 2024?",  # one span of years
    "What will Siping build from 2026 to 2030?",
    "Where and how does the proposal want research breakthroughs to be commercialised?",  # one question
    "Which cities and counties did Siping cooperate with in 2023?",
    "What did both the plenum and the work report say about black soil?",
    "The park, which was built in 2023, cost how much?",  # a relative clause asks nothing
    "In 2023, what did Siping plan for the park, which opened in 2024?",
])
def test_an_english_question_that_compares_nothing_has_no_parts(question):
    assert english_parts(question) == []


def test_an_english_comparison_is_cut_from_the_english_not_its_gloss():
    analysis = analyse("What was Siping's grain output in 2021 and 2025?")
    assert split_parts(analysis.question) == []  # the gloss keeps no "and"
    assert [p.label for p in question_parts(analysis.asked, analysis.question)] == ["2021", "2025"]
    chinese = analyse("2021年和2025年四平粮食产量分别是多少")
    assert [p.label for p in question_parts(chinese.asked, chinese.question)] == ["2021年", "2025年"]


def test_a_question_of_its_own_after_a_question_mark_splits_and_a_linking_clause_asks_nothing():
    # a later question after a question mark about a thing of its own (化工产值), no time needed
    parts = split_parts("2022年底的会议要求谋划多少个5000万元以上项目？化工产值三年内要达到多少呢")
    assert [p.label for p in parts] == ["2022年底的会议要求谋划多少个5000万元以上项目", "化工产值三年内要达到多少呢"]
    # 相比之下 only links the two questions
    parts = split_parts("2023年四平社零额增长目标是多少？相比之下，2024年前三季度社零额实际增长了多少")
    assert [p.label for p in parts] == ["2023年四平社零额增长目标是多少", "2024年前三季度社零额实际增长了多少"]
    # …and leaves a question after the question mark one of its own, though it names no time
    parts = split_parts("2023年四平社零额增长目标是多少？相比之下，财政收入要达到多少")
    assert [p.label for p in parts] == ["2023年四平社零额增长目标是多少", "财政收入要达到多少"]
    assert parts[1].question == "2023年四平财政收入要达到多少"
    # a follow-up about the same thing, or after a comma, is one question
    assert split_parts("四平GDP是多少？增长了多少？") == []
    assert split_parts("2022年四平安全生产的总体情况怎么样，出过大事故吗") == []


def test_an_estimate_is_the_label_of_its_time_as_a_result_word_is():
    """预计 names what a result is called before the year's figures are in (预计全年GDP增速达到4.5%):
    like 实际 it goes with its time, and no passage must contain it."""
    parts = split_parts("四平 GDP增速 2022全年预计 对比 2024前三季度")
    assert [p.label for p in parts] == ["2022全年预计", "2024前三季度"]
    assert ("预计",) not in analyse("2022年四平GDP预计增长多少").term_groups


def test_short_years_are_times_joined_as_full_ones_are_and_a_period_may_follow_them():
    parts = split_parts("22年和24年四平GDP各是多少")
    assert [(p.label, p.question) for p in parts] == [("22年", "22年四平GDP是多少"), ("24年", "24年四平GDP是多少")]
    parts = split_parts("23年上半年和24年前三季度四平外贸增速分别是多少")
    assert [p.label for p in parts] == ["23年上半年", "24年前三季度"]
    reference = dt.date(2026, 1, 1)
    assert analyse("24年前三季度四平GDP是多少", reference_date=reference).years == (2024,)
    assert analyse("四平20年前GDP是多少", reference_date=reference).years == ()  # 20 years ago: no year
    assert split_parts("四平20年来GDP和财政收入各是多少")[0].label == "20年来GDP"  # a span of years, no time


def test_a_later_question_names_its_own_time_by_a_month_range_a_point_of_the_year_or_a_clause_before_it():
    # a month range: the first clause's year stays, its period (全年) goes
    parts = split_parts("2024年四平空气优良天数比例的全年目标是多少？1至7月实际达到了多少")
    assert [p.label for p in parts] == ["2024年四平空气优良天数比例的全年目标是多少", "1至7月实际达到了多少"]
    assert parts[1].question.startswith("2024年") and "全年" not in parts[1].question
    # 年初 is a time of the first clause's own
    parts = split_parts("2023年四平老旧小区改造：年初计划改造多少个，上半年实际开工了多少个")
    assert [p.label for p in parts] == ["年初计划改造多少个", "上半年实际开工了多少个"]
    # a clause that only sets the time goes with the question after it
    parts = split_parts("迎新玻璃项目总投资是多少？到2024年，吉电项目又进展到了哪一步")
    assert [p.label for p in parts] == ["迎新玻璃项目总投资是多少", "到2024年吉电项目又进展到了哪一步"]


@pytest.mark.parametrize("question, labels, asked", [
    # figures asked one after another in one clause, the question word first: what comes before is said of each
    ("2022年四平办理了多少件人大代表建议和多少件政协提案", ["人大代表建议", "政协提案"],
     ["2022年四平办理了多少件人大代表建议", "2022年四平办理了多少件政协提案"]),
    ("四平有多少个农民合作社、多少个家庭农场", ["农民合作社", "家庭农场"], ["四平有多少个农民合作社", "四平有多少个家庭农场"]),
    # or last: each asks of its own, with the first's time and place
    ("2024年四平开复工5000万元以上项目多少个、计划总投资多少", ["开复工5000万元以上项目", "计划总投资"],
     ["2024年四平开复工5000万元以上项目多少个", "2024年四平计划总投资多少"]),
    # things with their own years: the first year is the first thing's, not a time of both
    ("四平2023年的GDP和2024年的GDP各是多少", ["2023年的GDP", "2024年的GDP"], ["四平2023年的GDP是多少", "四平2024年的GDP是多少"]),
    # a keyword query listing years
    ("四平gdp 2023 2024", ["2023", "2024"], ["四平gdp 2023", "四平gdp 2024"]),
])
def test_joined_figures_things_with_their_own_years_and_listed_years_are_parts(question, labels, asked):
    parts = split_parts(question)
    assert [p.label for p in parts] == labels and [p.question for p in parts] == asked


def test_a_part_opening_with_a_short_year_keeps_it_a_year():
    # 改造24年 run together would read as a span of years; the part's question keeps them apart
    parts = split_parts("农村厕所改造，23年政府工作报告计划改多少个？24年实际改了多少个")
    assert [p.question for p in parts] == ["农村厕所改造，23年政府工作报告计划改多少个", "农村厕所改造，24年实际改了多少个"]
    assert [analyse(p.question, reference_date=dt.date(2026, 1, 1)).years for p in parts] == [(2023,), (2024,)]


@pytest.mark.parametrize("question", [
    "强化实干作风，全会要求看什么、不看什么",  # one contrast, answered by one clause
    "四平 2023-2024 粮食产量",  # a range of years is one period
    "2024年四平开复工多少个5000万元以上项目",  # one figure
])
def test_one_asked_thing_is_no_comparison(question):
    assert split_parts(question) == []


def test_an_english_request_to_compare_is_cut_into_its_two_sides():
    parts = english_parts("Compare Siping's grain output in 2024 with 2025.")
    assert [p.label for p in parts] == ["Siping's grain output in 2024", "2025"]
    assert "grain output" in parts[1].question and "2025" in parts[1].question
    # a side said as a question is asked as it is, with the other's words it lacks; "what the 2023" is no "at 2023"
    parts = english_parts("Compare what the 2023 government work report said about housing with what the plenum said")
    assert parts[1].question.startswith("what the plenum said (") and "housing" in parts[1].question
    assert " wh " not in parts[1].question


def test_ordinary_questions_have_no_parts():
    for q in ("2024年前三季度GDP是多少", "四平各县区有哪些特色产业", "合作社和家庭农场发展到多少个"):
        assert split_parts(q) == []


def _passage(pid: str, text: str) -> Passage:
    return Passage(passage_id=pid, doc_id=pid.split(":")[0], paragraph=1, part=0, section="", title="t",
                   date="2024-12-27", text=text, start=0, end=len(text), source_file="corpus/x.txt")


def test_combine_parts_cites_each_part_and_marks_the_missing_one():
    a, b, c = _passage("d:1", "粮食产量100亿斤。"), _passage("d:2", "其他。"), _passage("d:3", "农业总产值388亿元。")
    first = Result(hits=(Hit(b, 1, 1.0), Hit(c, 2, 0.5)),
                   answer=AnswerSpan("农业总产值388亿元。", "388亿元", "d:3", 2, 0, 11, 5, 10), highlights={})
    missing = Result(hits=(Hit(a, 1, 1.0),), answer=None, highlights={})
    result, parts = combine_parts(["农业总产值", "2021年"], [first, missing], top_k=2)
    assert [h.passage.passage_id for h in result.hits] == ["d:3", "d:2"]
    assert parts[0].answer.citation == 1 and parts[0].answer.passage_id == "d:3"
    assert parts[1].answer is None
    assert result.answer == parts[0].answer


def test_one_span_answers_one_part_unless_it_names_each():
    """Two parts answered with the same figure of the same sentence: the first keeps it, the other
    is missing; a span that names each part's thing answers both."""
    a = _passage("d:1", "城镇新增就业完成省定指标的105%。")
    span = AnswerSpan("城镇新增就业完成省定指标的105%。", "105%", "d:1", 1, 0, 17, 13, 17)
    same = [Result(hits=(Hit(a, 1, 1.0),), answer=span, highlights={}) for _ in range(3)]
    _, parts = combine_parts(["2023年", "2024年", "2025年"], same, top_k=2)
    assert [p.answer.span if p.answer else None for p in parts] == ["105%", None, None]
    b = _passage("d:2", "要围绕双辽化工园区氯碱化工、四平新开区精细化工补链强链。")
    both = AnswerSpan(b.text, "双辽化工园区氯碱化工、四平新开区精细化工", "d:2", 1, 0, len(b.text), 3, 23)
    named = [Result(hits=(Hit(b, 1, 1.0),), answer=both, highlights={}) for _ in range(2)]
    _, parts = combine_parts(["双辽化工园区", "四平新开区"], named, top_k=2)
    assert all(p.answer is not None for p in parts)


def test_dictionary_reads_english_words_as_the_corpus_words_they_translate(passages):
    """CC-CEDICT backwards, kept to the words of the real corpus: nouns and qualities, not verbs."""
    from qa_service.lexicon.dictionary import EnglishDictionary, lemmas
    from qa_service.search.tokenizer import default_tokenizer

    tok = default_tokenizer()
    dictionary = EnglishDictionary({t for p in passages for t in tok.tokenize(p.text)},
                                   "\n".join(p.text for p in passages))
    assert "补贴" in dictionary.lookup("subsidy") and "补贴" in dictionary.lookup("subsidies")
    assert dictionary.lookup("farms") == ("农场",)
    assert "红色旅游" in dictionary.lookup("red tourism")  # a phrase before its words
    assert dictionary.lookup("create") == ()  # only a verb: the dense model reads it
    assert dictionary.lookup("zeppelin") == ()  # the corpus has no word for it
    assert all(len(dictionary.lookup(w)) <= 3 for w in ("base", "capital", "foreign"))
    assert lemmas("subsidies")[:2] == ("subsidies", "subsidy")
    # British spellings are looked up in CC-CEDICT's American ones too
    assert dictionary.lookup("programme") == dictionary.lookup("program") != ()
    assert "stabilize" in lemmas("stabilised") and "center" in lemmas("centres") and "labor" in lemmas("labour")
    assert lemmas("rise") == ("rise",) and lemmas("four") == ("four",)
    # a form's own sense before a phrase the plural occurs in (/leading enterprises/ 龙头企业, /police
    # officers/ 干警); a plural-only sense last (new is not news)
    assert dictionary.lookup("enterprises") == dictionary.lookup("enterprise") and "企业" in dictionary.lookup("enterprises")
    assert dictionary.lookup("cadres")[:1] == ("干部",)
    assert "信息" not in dictionary.lookup("new")

    # a verb with its object, by their content words (function words between them read past)
    assert dictionary.lookup("opened to traffic") == ("通车",)
    assert dictionary.lookup("supplied water") == ("供水",)
    glossed, _, _ = gloss_english("Which two expressways were opened to traffic last year?", dictionary)
    assert "通车" in glossed and "第二" not in glossed  # a number word is no concept
    assert "再生水" not in dictionary.lookup("reclaimed water")  # the tokenizer splits it: not in the vocabulary

    glossed, _, translated = gloss_english("How much housing subsidy did Siping pay out to talent?", dictionary)
    assert "补贴" in glossed and ("补贴",) in [g[:1] for g in translated]
    analysis = analyse("How much housing subsidy did Siping pay out to talent?", dictionary=dictionary)
    assert analysis.translated and not any(g in analysis.term_groups for g in analysis.translated)


def test_english_verbs_are_read_as_the_questions_predicates(passages):
    """The gloss keeps nouns; the asker's verbs, by CC-CEDICT's one-word verb senses (polish →
    擦亮), are the question's predicates, as a Chinese question's are: evidence for choosing the
    sentence and clause that say what was asked, never a concept a passage must have."""
    from qa_service.lexicon.dictionary import EnglishDictionary
    from qa_service.search.tokenizer import default_tokenizer

    tok = default_tokenizer()
    dictionary = EnglishDictionary({t for p in passages for t in tok.tokenize(p.text)},
                                   "\n".join(p.text for p in passages))
    assert "擦亮" in dictionary.verb("polish") and dictionary.verb("polishing") == dictionary.verb("polish")
    assert dictionary.verb("zeppelin") == () and dictionary.verb("farms") == ()
    analysis = analyse("Which HQ companies did Siping urge to adjust their product mix in 2023?", dictionary=dictionary)
    assert any("调整" in g for g in analysis.predicates)
    assert not any("调整" in w for g in (*analysis.term_groups, *analysis.translated) for w in g)
    assert "调整" not in analysis.question  # the gloss is unchanged: the verbs are read beside it


def test_dictionary_words_the_tokenizer_splits_count_where_the_text_has_them_whole(passages):
    """A longer dictionary word (再生水, split 再生/水) counts as the corpus's where the tokenizer puts
    a word boundary at both its ends; not where it straddles two words (工作面 in 工作面临)."""
    from qa_service.lexicon.dictionary import EnglishDictionary
    from qa_service.search.tokenizer import default_tokenizer

    tok = default_tokenizer()
    text = "\n".join(p.text for p in passages)
    assert "再生水" in text and "工作面临" in text
    dictionary = EnglishDictionary({t for p in passages for t in tok.tokenize(p.text)}, text, segment=tok.words)
    assert dictionary.lookup("reclaimed water") == ("再生水",)
    assert "工作面" not in dictionary.lookup("face")


def test_hyphenated_english_is_read_word_by_word_and_amounts_keep_their_scale(passages):
    """A hyphenated compound the dictionary lacks is glossed word by word (sponge-city → 海绵), a
    hyphenated amount keeps its scale (1-billion-yuan → 10亿元). A sense given in the plural only is found from the singular (clue → 线索 /clues/), and
    what follows a colon in a definition explains it, naming no sense of its own (四大 /the four
    elements: earth, water, fire, and wind/ is no translation of water); an adjective CC-CEDICT
    gives no sense of its own is read as its noun (agricultural → agriculture → 农业)."""
    from qa_service.lexicon.dictionary import EnglishDictionary
    from qa_service.search.tokenizer import default_tokenizer

    tok = default_tokenizer()
    dictionary = EnglishDictionary({t for p in passages for t in tok.tokenize(p.text)},
                                   "\n".join(p.text for p in passages), segment=tok.words)
    glossed, _, _ = gloss_english("Which two national sponge-city model lists was Siping shortlisted for?", dictionary)
    assert "海绵" in glossed
    glossed, _, _ = gloss_english("Why was 2024 a record year for new 1-billion-yuan-plus projects?", dictionary)
    assert "10亿元" in glossed and "1元" not in glossed
    glossed, _, _ = gloss_english("Which 10-billion-yuan grid project did Siping fast-track?", dictionary)
    assert "100亿元" in glossed
    # a glossary word (road → 公路) that begins a compound the dictionary knows is read with it
    glossed, _, _ = gloss_english("Which bridge's road surface was renovated?", dictionary)
    assert "路面" in glossed and "公路" not in glossed
    assert "公路" in gloss_english("How many kilometres of rural road were built?", dictionary)[0]
    assert dictionary.lookup("clue") == ("线索",)
    assert "四大" not in dictionary.lookup("water")

    # an adjective is read as the noun it derives from before the phrases it occurs in
    from qa_service.lexicon.dictionary import derivations
    assert derivations("ecological")[0] == "ecology" and "agriculture" in derivations("agricultural")
    assert "industry" in derivations("industrial") and derivations("economic") == ("economy",)
    assert dictionary.lookup("ecological") == ("生态",)  # CC-CEDICT has no sense "ecological"
    assert dictionary.lookup("agricultural") == ("农业",)  # not 农机 (/agricultural machinery/)
    assert dictionary.lookup("rural") == ("农村",)  # a sense of its own comes first


def test_translated_concepts_are_evidence_where_found_and_no_loss_where_missing():
    from qa_service.qa.signals import ScoringContext

    ctx = ScoringContext(documents={}, doc_freq={"人才": 5, "补贴": 3, "四平": 100}, n_passages=200)
    plain = analyse("四平人才多少")
    translated = plain.__class__(**{**plain.__dict__, "translated": (("补贴", "补助"),)})
    assert ctx.coverage("人才", translated) == ctx.coverage("人才", plain)  # missing: no loss
    assert ctx.coverage("人才补贴", translated) > ctx.coverage("人才", plain)  # found: evidence


def test_place_names_come_from_cc_cedict_with_their_english_and_short_names():
    from qa_service.lexicon.dictionary import places

    known = places()
    assert {"长春", "辽源", "辽源市", "公主岭", "四平"} <= known.chinese
    assert "新建" not in known.chinese and "梨树" not in known.chinese  # common words too (new, pear tree)
    assert known.english["changchun"] == "长春" and known.english["jinhua"] == "金华"
    assert known.short["浙江"] == "浙" and known.short["吉林"] == "吉"


def test_english_place_names_are_glossed_and_named_places_are_read():
    glossed, _, _ = gloss_english("What was Jinhua's GDP in 2024?")
    assert glossed.startswith("多少金华")
    assert analyse("What was Jinhua's GDP in 2024?").places == ("金华",)
    assert analyse("2024年前三季度辽源市地区生产总值是多少").places == ("辽源",)  # the bare name
    assert analyse("伊通县有几家医院").places == ("伊通",)  # whole words: not 通县 inside 伊通县
    assert analyse("新建了多少个5G基站").places == ()
    # in English only the names the asker wrote count, not what the dictionary chose for a word
    assert analyse("how many new base stations were built").places == ()


def test_a_passage_from_a_document_that_never_names_the_asked_place_is_about_somewhere_else():
    from qa_service.qa.signals import ScoringContext
    from qa_service.types import Document, DocumentMeta

    doc = Document("d", "corpus/d.txt", "深化吉浙对口\n合作，四平市地区生产总值增长3.7%。", DocumentMeta("d", "t", "2024"))
    ctx = ScoringContext(documents={"d": doc}, doc_freq={}, n_passages=1)
    passage = Passage("d:1", "d", 1, 0, "", "t", "2024", "四平市地区生产总值增长3.7%。", 12, 28, "corpus/d.txt")
    assert ctx.names_missing(passage, analyse("2024年辽源市地区生产总值是多少"))
    assert not ctx.names_missing(passage, analyse("2024年四平市地区生产总值是多少"))
    assert not ctx.names_missing(passage, analyse("浙江和四平的合作"))  # 吉浙: Zhejiang by its short name
    assert not ctx.names_missing(passage, analyse("地区生产总值是多少"))


def test_a_passage_from_a_document_that_never_names_the_asked_session_reports_another():
    """The report of the 八届八次全会 is no answer about the 八届七次 (the name may be wrapped)."""
    from qa_service.qa.signals import ScoringContext
    from qa_service.types import Document, DocumentMeta

    doc = Document("d", "corpus/d.txt", "中共四平市委八届八\n次全会召开，第五届鲜食玉米大会举办。", DocumentMeta("d", "t", "2024"))
    ctx = ScoringContext(documents={"d": doc}, doc_freq={}, n_passages=1)
    passage = Passage("d:1", "d", 1, 0, "", "t", "2024", "全会于10月23日召开。", 0, 12, "corpus/d.txt")
    assert analyse("四平市委八届七次全会是什么时候召开的").sessions == ("八届七次",)
    assert ctx.names_missing(passage, analyse("四平市委八届七次全会是什么时候召开的"))
    assert not ctx.names_missing(passage, analyse("四平市委八届八次全会是什么时候召开的"))
    assert ctx.names_missing(passage, analyse("第四届鲜食玉米大会在哪举办"))
    assert not ctx.names_missing(passage, analyse("第五届鲜食玉米大会在哪举办"))


def test_a_later_clause_about_a_thing_of_its_own_after_a_comma_is_a_question_of_its_own():
    parts = split_parts("四平2023年固定资产投资增长多少，社会消费品零售总额增长多少")
    assert [p.question for p in parts] == ["四平2023年固定资产投资增长多少", "四平2023年社会消费品零售总额增长多少"]
    # a follow-up that only asks whether (吗), or the same thing again, is no question of its own
    assert split_parts("2022年四平安全生产的总体情况怎么样，出过大事故吗") == []
    assert split_parts("十五五期间四平搞环保要几样一块儿抓，都是哪几样") == []


def test_relative_years_are_times_compared_and_the_base_of_a_change_is_no_year_asked():
    parts = split_parts("四平去年和前年的GDP分别多少")
    assert [p.question for p in parts] == ["四平去年的GDP多少", "四平前年的GDP多少"]
    parts = split_parts("去年四平粮食产量是多少，今年计划多少")
    assert [p.question for p in parts] == ["去年四平粮食产量是多少", "四平粮食产量今年计划多少"]
    ref = dt.date(2025, 6, 1)
    assert analyse("四平去年和前年的GDP分别多少", reference_date=ref).years == (2023, 2024)
    # 比上年 is what the change is measured against: the year asked is 2024 alone
    assert analyse("2024年四平红色旅游接待人次比上年增长了百分之多少", reference_date=ref).years == (2024,)
    assert analyse("2024年四平城镇新增就业较去年增长了多少", reference_date=ref).years == (2024,)
