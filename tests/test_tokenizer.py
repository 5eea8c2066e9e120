"""Tokenisation does not depend on what the process did before (issue: jieba's global tokenizer
learned the synonym words as a side effect of the first question analysed)."""
from __future__ import annotations

import json
import subprocess
import sys

from support import CORPUS, ROOT, FakeEmbedder, make_settings

from qa_service.qa.analysis import analyse
from qa_service.search import Tokenizer, build_index, default_tokenizer, tokenize

_BUILD_IN_FRESH_PROCESS = """
import json, sys
sys.path.insert(0, {tests!r})
from support import FakeEmbedder, make_settings
from qa_service.search import build_index
from pathlib import Path
result = build_index(make_settings(Path({root!r}), corpus_dir=Path({corpus!r})), FakeEmbedder())
print(json.dumps(json.loads((result.directory / "manifest.json").read_text())["files"]))
"""


def _files(result) -> dict:
    return json.loads((result.directory / "manifest.json").read_text(encoding="utf-8"))["files"]


def test_synonym_words_stay_whole_from_the_first_call():
    fresh = Tokenizer()  # nothing analysed through it
    assert "外贸进出口总额" in fresh.tokenize("全市外贸进出口总额增长", search=False)
    assert "经济总量" in fresh.tokenize("经济总量迈上新台阶", search=False)


def test_the_default_tokenizer_is_one_instance():
    assert default_tokenizer() is default_tokenizer()
    assert tokenize("地区生产总值") == default_tokenizer().tokenize("地区生产总值")


def test_index_built_in_a_fresh_process_equals_one_built_after_analysing_questions(tmp_path):
    fresh_root, warm_root = tmp_path / "fresh", tmp_path / "warm"
    script = _BUILD_IN_FRESH_PROCESS.format(tests=str(ROOT / "tests"), root=str(fresh_root), corpus=str(CORPUS))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    fresh_files = json.loads(out.stdout.strip().splitlines()[-1])

    for question in ("2024年前三季度GDP是多少", "外贸进出口总额增长多少", "四平新增就业多少人"):
        analyse(question)  # what a serving process does before an index is (re)built in it
    warm = build_index(make_settings(warm_root, corpus_dir=CORPUS), FakeEmbedder())
    assert _files(warm) == fresh_files  # same passages, same BM25 tokens, same vectors, byte for byte


def test_cached_tokens_are_a_fresh_list_each_time():
    tokenizer = Tokenizer()
    text = "前三季度，全市地区生产总值实现451.83亿元，同比增长3.7%。"
    first = tokenizer.tokenize(text)
    first.append("被改了")  # a caller changing its list must not change what the cache returns
    assert tokenizer.tokenize(text) == first[:-1]
    assert "生产" in first and "地区生产总值" in first  # search mode: the word and its parts
    assert tokenizer.tokenize(text, search=False) != first[:-1]  # the options are part of the key
    assert "的" in tokenizer.tokenize("全市的粮食", keep_stopwords=True)
    assert "的" not in tokenizer.tokenize("全市的粮食")


def test_predicates_are_the_verbs_and_adjectives_content_words_leave_out():
    t = default_tokenizer()
    question = "2024年四平生猪出栏多少头，在政府举债上要坚决避免什么"
    assert {"出栏", "举债", "避免"} <= set(t.predicates(question))
    assert not {"四平", "生猪", "政府", "多少", "什么"} & set(t.predicates(question))
    assert not set(t.predicates(question)) & set(t.content_words(question))


def test_the_verb_a_dummy_verb_takes_is_a_concept():
    """开展巡察: 巡察 is what was carried out (a verbal noun), so a passage must cover it; the
    dummy verb itself names nothing, and the same verb elsewhere stays a predicate."""
    t = default_tokenizer()
    assert t.content_words("24年四平开展巡察都搞了哪几种形式啊") == ["24", "四平", "巡察", "形式"]
    assert "调研" in t.content_words("四平进行调研的重点是什么")
    assert "补贴" in t.content_words("给予补贴多少钱")
    assert "巡察" not in t.content_words("四平巡察了哪些单位")  # a verb after a noun stays a verb
    analysis = analyse("24年四平开展巡察都搞了哪几种形式啊", reference_date=None)
    assert ("巡察",) in analysis.term_groups


def test_a_question_word_glued_to_a_word_asks_and_names_nothing():
    """哪几种, 什么样, 几项 ask; what follows the question word counts only as a word of its own."""
    t = default_tokenizer()
    for question in ("24年四平开展巡察都搞了哪几种形式啊", "四平打造了什么样的模式", "四平落实了几项机制"):
        assert not any(w.startswith(("哪", "什么", "几")) for w in t.content_words(question))
        assert not any(w.startswith(("哪", "什么", "几")) for w in t.tokenize(question))
    assert "三管" in t.tokenize("四平抓安全生产得落实哪三管")  # the rest is a word: it stays
    assert "几乎" not in t.tokenize("几乎所有") and "所有" in t.tokenize("几乎所有")


def test_spoken_fillers_name_nothing_and_a_mistagged_noun_counts():
    """儿 (这块儿) and 大家 are no concepts; 统战 (统一战线), which jieba tags as a verb, is one."""
    t = default_tokenizer()
    assert t.content_words("24年四平统战这块儿打响了哪些品牌啊") == ["24", "四平", "统战", "打响", "品牌"]
    assert "大家" not in t.content_words("全会要求大家投身经济攻坚战")


def test_a_one_character_verb_is_no_concept():
    """jieba tags 管 a verbal noun (as 管理 is) and 换 a proper noun: in a question both are verbs,
    so a passage need not have them (改造供热管网 answers 要换多少公里暖气管子)."""
    tok = default_tokenizer()
    assert "换" not in tok.content_words("2023年四平要换多少公里的暖气管子")
    assert "管" not in tok.content_words("每个乡镇建几个管农机的服务中心")
    assert "农机" in tok.content_words("每个乡镇建几个管农机的服务中心")
    assert "监管" in tok.content_words("四平加强污染监管")  # two characters (vn): still a concept


def test_a_question_keeps_its_verbs_apart_from_its_concepts():
    analysis = analyse("2024年四平生猪出栏多少头", reference_date=None)
    assert ("出栏",) in analysis.predicates and ("出栏",) not in analysis.term_groups
    # an English question's verbs are the glossary's, not the asker's
    assert analyse("How much did Siping's GDP grow in 2024?").predicates == ()
