"""Fusion, scoring signals, first-stage retrieval and signal re-ranking (fake embedder, real corpus)."""
from __future__ import annotations

import datetime as dt
import math

import pytest
from support import NO_TOML, FakeEmbedder

from qa_service.config import load_settings
from qa_service.qa.analysis import QueryAnalysis, analyse
from qa_service.qa.fusion import rrf
from qa_service.qa.params import CANDIDATES
from qa_service.qa.rerank import rerank_by_signals
from qa_service.qa.retrieve import Retriever
from qa_service.qa.signals import (
    ScoringContext,
    group_weight,
    has_figure,
    idf,
    passage_years,
    year_score,
)
from qa_service.search import build_index, load_index

REF = dt.date(2025, 3, 1)
DOC_000 = "000_d035c923f93be10b"  # 2024-10 plenary: reports on 2024
DOC_001 = "001_7ebea61fa912b90f"
DOC_002 = "002_13d572a342c534f4"  # 2023 government work report: reviews 2022, plans 2023
DOC_003 = "003_15d4afe9644c5fee"
DOC_004 = "004_52f73c00f5787a7c"  # 2022-12 economic work conference: reports on 2022


def a(question: str) -> QueryAnalysis:
    return analyse(question, reference_date=REF)


# --- reciprocal rank fusion ---------------------------------------------------------------


def test_rrf_by_hand():
    fused = rrf([[1, 2, 3], [3, 1]])
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[2] == pytest.approx(1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert set(fused) == {1, 2, 3}
    assert sorted(fused, key=fused.get, reverse=True) == [1, 3, 2]


def test_rrf_item_in_one_list_only_and_custom_k():
    fused = rrf([[7, 8], [9]], k=0)
    assert fused == pytest.approx({7: 1.0, 8: 0.5, 9: 1.0})
    assert rrf([]) == {}
    assert rrf([[], []]) == {}


def test_weighted_rrf_by_hand():
    fused = rrf([[1, 2], [2, 3]], weights=[1.0, 0.5])
    assert fused == pytest.approx({1: 1 / 61, 2: 1 / 62 + 0.5 / 61, 3: 0.5 / 62})
    assert rrf([[1, 2]], weights=[2.0]) == pytest.approx({1: 2 / 61, 2: 2 / 62})


def test_rrf_rejects_a_weight_count_that_does_not_match():
    with pytest.raises(ValueError):
        rrf([[1], [2]], weights=[1.0])


def test_rrf_agreement_beats_a_single_first_place():
    # 4 is first in one list only; 5 is second in both: 2/62 > 1/61
    fused = rrf([[4, 5], [6, 5]])
    assert fused[5] == pytest.approx(2 / 62)
    assert fused[5] > fused[4] == pytest.approx(1 / 61)


# --- idf and coverage ---------------------------------------------------------------------


def test_idf_by_hand():
    assert idf(0, 100) == pytest.approx(math.log(1 + 100.5 / 0.5))
    assert idf(10, 100) == pytest.approx(math.log(1 + 90.5 / 10.5))
    assert 0 < idf(100, 100) < idf(50, 100) < idf(1, 100)


def _analysis(term_groups) -> QueryAnalysis:
    return QueryAnalysis(question="q", years=(), periods=(), asks_plan=False, qtype="how_much", unit=None,
                         terms=(), expansions=(), term_groups=tuple(term_groups))


DOC_FREQ = {"gdp": 0, "地区生产总值": 10, "生产总值": 12, "前三季度": 5, "四平": 100}


def _ctx() -> ScoringContext:
    """Term statistics from DOC_FREQ over 100 passages (coverage is a method of the context)."""
    return ScoringContext(documents={}, doc_freq=DOC_FREQ, n_passages=100)


def test_group_weight_takes_the_most_frequent_synonym():
    assert group_weight(("GDP", "地区生产总值", "生产总值"), DOC_FREQ, 100) == pytest.approx(idf(12, 100))
    assert group_weight(("没见过",), DOC_FREQ, 100) == pytest.approx(idf(0, 100))


def test_coverage_by_hand():
    analysis = _analysis([("GDP", "地区生产总值"), ("前三季度",), ("四平",)])
    w_gdp = math.log(1 + (100 - 10 + 0.5) / (10 + 0.5))
    w_q = math.log(1 + (100 - 5 + 0.5) / (5 + 0.5))
    w_sp = math.log(1 + (100 - 100 + 0.5) / (100 + 0.5))
    total = w_gdp + w_q + w_sp
    text = "四平全市地区生产总值实现451.83亿元"
    assert _ctx().coverage(text, analysis) == pytest.approx((w_gdp + w_sp) / total)
    assert _ctx().coverage("前三季度GDP增长3.7%", analysis) == pytest.approx((w_gdp + w_q) / total)
    assert _ctx().coverage("前三季度四平gdp", analysis) == pytest.approx(1.0)
    assert _ctx().coverage("粮食产量", analysis) == 0.0
    assert _ctx().coverage("任何文字", _analysis([])) == 0.0


def test_coverage_on_a_real_question():
    analysis = a("2024年前三季度GDP是多少")
    text = "前三季度，全市地区生产总值实现451.83亿元，同比增长3.7%。"
    assert _ctx().coverage(text, analysis) == pytest.approx(1.0)  # GDP via 地区生产总值
    assert _ctx().coverage("全市地区生产总值稳步增长", analysis) < 1.0


def test_has_figure():
    assert has_figure("全市地区生产总值实现451.83亿元")
    assert has_figure("同比增长3.7%")
    assert has_figure("新建高标准农田38.9万亩")
    assert has_figure("设定 852 名“田长”")
    assert not has_figure("四平市委八届八次全会召开")
    assert not has_figure("第十九个丰收年")
    assert has_figure("实现农村24小时供水全覆盖")
    assert not has_figure("四平市委八届八次全会于2024年10月23日召开")  # a date is no figure


# --- year_score on real passages ----------------------------------------------------------


@pytest.fixture(scope="module")
def by_id(passages):
    return {p.passage_id: p for p in passages}


@pytest.fixture(scope="module")
def docs(documents):
    return {d.doc_id: d for d in documents}


def test_fixture_sections_are_as_assumed(by_id):
    assert "年" not in by_id[f"{DOC_002}:1.1"].section  # review of 2022, heading without a year
    assert by_id[f"{DOC_002}:9"].section == "二、2023年主要目标和重点工作"
    assert by_id[f"{DOC_002}:13.1"].section.startswith("二、2023年主要目标和重点工作 › ")
    assert "回首 2022 年" in by_id[f"{DOC_002}:7.1"].text
    assert "新建高标准农田38.9万亩" in by_id[f"{DOC_002}:1.1"].text


@pytest.mark.parametrize("question, pid, expected", [
    # a 2022 results question: 002 reviews 2022 (+1) but its 2023 plan section names 2023 (-1)
    ("2022年粮食产量是多少", f"{DOC_002}:1.1", 1.0),
    ("2022年粮食产量是多少", f"{DOC_002}:9", -1.0),
    ("2022年粮食产量是多少", f"{DOC_002}:13.1", -1.0),  # nested heading under the plan section
    ("2022年粮食产量是多少", f"{DOC_004}:3", 1.0),
    ("2022年粮食产量是多少", f"{DOC_000}:5.3", -1.0),  # a 2024 document
    # the 2024 document for a 2024 results question
    ("2024年前三季度GDP是多少", f"{DOC_000}:5.3", 1.0),
    ("2024年前三季度GDP是多少", f"{DOC_002}:1.1", -1.0),
    ("2025年GDP是多少", f"{DOC_003}:5.1", 1.0),
    # plan questions: the section heading decides; else plans_for, the passage text, reports_on
    ("2023年的目标是多少", f"{DOC_002}:9", 1.0),
    ("2022年的目标是多少", f"{DOC_002}:9", -1.0),
    ("2022年的目标是多少", f"{DOC_002}:7.1", 0.5),  # text names 2022 (回首 2022 年)
    ("2022年的目标是多少", f"{DOC_002}:1.1", 0.25),  # a document reporting on 2022, asked for plans
    # no year asked: neutral
    ("粮食产量是多少", f"{DOC_002}:9", 0.0),
])
def test_year_score_on_real_passages(by_id, docs, question, pid, expected):
    p = by_id[pid]
    assert year_score(p, docs[p.doc_id], a(question)) == expected


def test_year_score_without_document_is_neutral(by_id):
    assert year_score(by_id[f"{DOC_002}:9"], None, a("2022年粮食产量是多少")) == 0.0


def test_passage_years(by_id):
    assert passage_years(by_id[f"{DOC_002}:7.1"]) >= {2022}
    assert 2023 in passage_years(by_id[f"{DOC_002}:13.1"])  # from the section heading
    assert passage_years(by_id[f"{DOC_002}:1.1"]) == set()


# --- Retriever end to end -----------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    settings = load_settings({"index_dir": tmp_path_factory.mktemp("retrieve") / "index"}, environ={},
                             toml_path=NO_TOML)
    build_index(settings, FakeEmbedder())
    return load_index(settings)


@pytest.fixture(scope="module")
def retriever(loaded, documents):
    return Retriever(loaded.passages, loaded.dense, loaded.bm25, FakeEmbedder(), {d.doc_id: d for d in documents})


def search(retriever, analysis, *, top_k, mode="hybrid", **filters):
    return retriever.candidates(analysis, mode=mode, **filters)[:top_k]


QUESTION = "2022年新建高标准农田多少亩"


@pytest.mark.parametrize("mode", Retriever.MODES)
def test_doc_filter_returns_only_that_document(retriever, mode):
    hits = search(retriever, a(QUESTION), top_k=10, mode=mode, doc_id=DOC_001)
    assert hits
    assert {h.passage.doc_id for h in hits} == {DOC_001}


def test_unknown_doc_or_unmatched_year_returns_nothing(retriever):
    assert search(retriever, a(QUESTION), top_k=5, year=1999) == []
    assert search(retriever, a(QUESTION), top_k=5, doc_id="999_nope") == []
    # 001 (2023) names no 2030 anywhere
    assert search(retriever, a(QUESTION), top_k=5, doc_id=DOC_001, year=2030) == []


def test_year_filter_keeps_documents_or_passages_about_that_year(retriever, docs):
    hits = search(retriever, a(QUESTION), top_k=20, year=2022)
    assert hits
    for h in hits:
        p = h.passage
        assert 2022 in docs[p.doc_id].meta.years or 2022 in passage_years(p)
    assert DOC_003 not in {h.passage.doc_id for h in hits}  # 2025 report, 2026-2030 plans


def test_top_k_larger_than_the_corpus(retriever, passages):
    n = len(passages)
    for mode in Retriever.MODES:
        hits = search(retriever, a(QUESTION), top_k=10 * n, mode=mode)
        assert 0 < len(hits) <= n
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert len({h.passage.passage_id for h in hits}) == len(hits)
    assert len(search(retriever, a(QUESTION), top_k=10 * n, mode="dense")) == min(CANDIDATES, n)
    # a filter smaller than top_k: dense (exact FAISS) returns every passage of the document
    in_003 = sum(p.doc_id == DOC_003 for p in passages)
    hits = search(retriever, a(QUESTION), top_k=100, mode="dense", doc_id=DOC_003)
    assert len(hits) == in_003


def test_single_list_modes_score_by_reciprocal_rank(retriever):
    w = retriever.weights
    for mode, weight in (("bm25", w.bm25), ("dense", w.dense)):
        hits = search(retriever, a(QUESTION), top_k=5, mode=mode)
        assert len(hits) == 5
        assert [h.score for h in hits] == pytest.approx([weight / (60 + r) for r in range(1, 6)])
        values = [h.scores[mode] for h in hits]
        assert values == sorted(values, reverse=True)  # ranked by that list's own score


def test_hybrid_fuses_each_list_with_its_own_weight(retriever, passages):
    analysis = a(QUESTION)
    n = min(CANDIDATES, len(passages))
    bm25_rank = {i: r for r, i in enumerate(retriever.bm25_ranking(analysis, None, n)[0], start=1)}
    dense_rank = {i: r for r, i in enumerate(retriever.dense_ranking(analysis, None, n)[0], start=1)}
    index_of = {p.passage_id: i for i, p in enumerate(retriever.passages)}
    w = retriever.weights
    hits = search(retriever, analysis, top_k=len(passages), mode="hybrid")
    assert {index_of[h.passage.passage_id] for h in hits} == set(bm25_rank) | set(dense_rank)
    for h in hits:
        i = index_of[h.passage.passage_id]
        expected = (w.bm25 / (60 + bm25_rank[i]) if i in bm25_rank else 0.0) + \
                   (w.dense / (60 + dense_rank[i]) if i in dense_rank else 0.0)
        assert h.score == pytest.approx(expected)
        assert h.scores["fused"] == pytest.approx(expected)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_bm25_mode_with_unknown_words_finds_nothing(retriever):
    assert search(retriever, a("zzzz qqqq"), top_k=5, mode="bm25") == []


def test_signal_rerank_prefers_the_2022_passage_with_the_figure(retriever, loaded, docs):
    analysis = a(QUESTION)
    ctx = ScoringContext(documents=docs, doc_freq=loaded.doc_freq, n_passages=len(loaded.passages))
    hits = rerank_by_signals(retriever.candidates(analysis), analysis, ctx)[:5]
    top = hits[0]
    assert "高标准农田" in top.passage.text
    assert 2022 in docs[top.passage.doc_id].meta.reports_on
    assert {"fused", "bm25", "coverage", "year"} <= set(top.scores)
    assert top.scores["year"] == 1.0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
