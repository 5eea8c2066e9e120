"""Dates, years, titles and bylines read from the text: the seed corpus without metadata.json
must get the hand-written dates and years; each rule on a real case from the corpora."""
from __future__ import annotations

import json

import pytest
from support import CORPUS, ROOT

from qa_service.corpus.inference import infer_bylines, infer_date, infer_meta, infer_title, infer_years
from qa_service.corpus.layout import reflow_blocks
from qa_service.corpus.loading import load_corpus
from qa_service.types import Document, DocumentMeta

HAND_WRITTEN = json.loads((CORPUS / "metadata.json").read_text(encoding="utf-8"))["documents"]


@pytest.fixture(scope="module")
def inferred():
    return {d.doc_id: d.meta for d in load_corpus(CORPUS, root=ROOT, use_metadata=False)}


@pytest.mark.parametrize("doc_id", sorted(HAND_WRITTEN))
def test_seed_dates_and_years_without_metadata_equal_the_hand_written_ones(inferred, doc_id):
    meta, expected = inferred[doc_id], HAND_WRITTEN[doc_id]
    assert meta.inferred
    assert meta.date == expected["date"]
    assert list(meta.reports_on) == expected["reports_on"]
    assert list(meta.plans_for) == expected["plans_for"]


def test_seed_titles_are_headlines_not_line_fragments(inferred):
    assert inferred["000_d035c923f93be10b"].title == HAND_WRITTEN["000_d035c923f93be10b"]["title"]  # printed twice at the end
    assert inferred["001_7ebea61fa912b90f"].title == HAND_WRITTEN["001_7ebea61fa912b90f"]["title"]
    assert inferred["003_15d4afe9644c5fee"].title == HAND_WRITTEN["003_15d4afe9644c5fee"]["title"]  # with its ——subtitle
    for meta in inferred.values():
        assert "上接" not in meta.title and "下转" not in meta.title and "本报讯" not in meta.title


def test_metadata_entries_override_only_the_fields_they_give(tmp_path):
    (tmp_path / "a.txt").write_text("本报讯 四平市某会议于2025年3月5日召开。今年以来全市经济稳中向好。\n", encoding="utf-8")
    (tmp_path / "metadata.json").write_text(json.dumps({"documents": {"a": {"title": "手写标题"}}}), encoding="utf-8")
    (doc,) = load_corpus(tmp_path)
    assert doc.meta.title == "手写标题" and doc.meta.date == "2025-03-05" and not doc.meta.inferred


@pytest.mark.parametrize("text, date", [
    ("本报讯（记者 刘畅）2022年1月5日，记者从市统计局获悉，2021年全市经济稳中向好。", "2022-01-05"),
    ("本报讯（记者 王磊）12月27日，四平市委经济工作会议召开。会议总结回顾2024年全市经济工作，安排部署2025年经济工作。",
     "2024-12-27"),
    ("四平市委经济工作会议12月24日召开。会议总结今年以来工作。今年是“十四五”开局之年。", "2021-12-24"),
    ("“十四五”收官在即。12月12日，市委全体会议召开。", "2025-12-12"),
    ("各位代表！回首2022年，全市上下顶住压力。二、2023年主要目标和重点工作", "2023-01"),
])
def test_document_date_rules(text, date):
    assert infer_date(text) == date


def test_a_caption_date_is_no_dateline():
    raw = ("本报讯（记者 王磊）12月27日，四平市\n委经济工作会议召开。安排部署2025年经济工作。\n"
           "中央经济工作会议12月11日至12日在北京举行。新华社发\n")
    clean = "\n".join(b.text for b in reflow_blocks(raw))
    assert "新华社发" not in clean
    assert infer_date(clean) == "2024-12-27"


@pytest.mark.parametrize("text, date, reports, plans", [
    ("今年以来，全市项目建设提速。明年全市计划实施项目310个以上。", "2023-11-15", (2023,), (2024,)),
    ("全会总结今年以来工作。当前已进入四季度，做好今年工作的收官和明年工作的谋划。", "2024-10-23", (2024,), (2024, 2025)),
    ("下半年全市工作的总体要求是坚决完成全年目标任务。", "2023-08-03", (2023,), (2023,)),
    ("2022年全市城镇新增就业1.2万人。2023年，市人社局将继续实施就业优先战略。", "2023-01-10", (2022,), (2023,)),
    ("全会审议通过关于制定第十五个五年规划的建议，“十五五”时期全市发展目标。", "2025-12-12", (2025,), tuple(range(2026, 2031))),
    ("2025年是“十四五”规划收官之年。回顾2024年，全市经济稳中有进。", "2024-12-27", (2024,), ()),
])
def test_reported_and_planned_years(text, date, reports, plans):
    assert infer_years(text, date) == (reports, plans)


@pytest.mark.parametrize("raw, names", [
    ("本报讯（记者 赵雪 通讯员 孙立新）眼下正值春耕。", ("赵雪", "孙立新")),
    ("本报讯(记者崔维利)四平市委八届六次全会于2023年8月3日召开。", ("崔维利",)),
    ("正文第一段。\n\n——记者 李明\n", ("李明",)),
    ("正文第一段。\n\n（执笔：周晓燕）\n", ("周晓燕",)),
    ("正文第一段。图为会议现场。（记者 王磊 摄）\n", ()),
])
def test_bylines(raw, names):
    assert infer_bylines(reflow_blocks(raw)) == names


def test_title_never_a_page_jump_marker_or_wrapped_line():
    raw = " （上接一版）\n（二）重农业、富农民，振兴步伐更加坚实。\n粮食安全巩固提升。新建高标准农田38.9万亩。\n"
    title = infer_title(reflow_blocks(raw))
    assert "上接" not in title and title == "重农业、富农民，振兴步伐更加坚实"


def test_a_document_without_any_year_gets_no_date():
    meta = infer_meta("x", "会议强调要抓好春耕生产。")
    assert meta.date == "" and meta.reports_on == () and meta.plans_for == ()


def test_undated_document_never_fits_a_year_question():
    from qa_service.qa.analysis import analyse
    from qa_service.qa.signals import year_score
    from qa_service.types import Passage

    undated = Document("u", "corpus/u.txt", "粮食产量达到100亿斤。", DocumentMeta("u", "t", ""))
    p = Passage("u:1", "u", 1, 0, "", "t", "", "粮食产量达到100亿斤。", 0, 11, "corpus/u.txt")
    import datetime as dt

    assert year_score(p, undated, analyse("2022年四平粮食产量是多少", reference_date=dt.date(2026, 1, 1))) < 0
