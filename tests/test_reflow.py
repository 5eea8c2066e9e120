"""Reflow on the real corpus: offsets, noise removal, headings, wrapped figures."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa_service.corpus import load_corpus
from qa_service.corpus.layout import is_byline, layout_text, reflow_blocks
from qa_service.corpus.passages import build_passages
from qa_service.corpus.sentences import ends_sentence, split_paragraph
from qa_service.types import Document, DocumentMeta

# Written independently of the cleaner: what may legitimately be dropped from a raw slice.
DROPPABLE = re.compile(r"^(?:.{0,40}(?:摄|航拍)|（资料图片）.*|[（(][上下][接转].版[）)]|本版撰稿.*|本报记者 .*)$")


def _removed_runs(raw_slice: str, text: str) -> list[str]:
    """Align ``text`` as a subsequence of ``raw_slice``; return the runs of skipped characters."""
    runs, current, j = [], [], 0
    for ch in raw_slice:
        if j < len(text) and ch == text[j]:
            if current:
                runs.append("".join(current))
                current = []
            j += 1
        else:
            current.append(ch)
    assert j == len(text), "passage text is not a subsequence of its raw slice"
    if current:
        runs.append("".join(current))
    return runs


def test_offsets_recover_every_passage(documents, passages):
    raw = {d.doc_id: d.raw for d in documents}
    for p in passages:
        assert layout_text(raw[p.doc_id], p.start, p.end) == p.text, p.passage_id
        for run in _removed_runs(raw[p.doc_id][p.start:p.end], p.text):
            for line in run.splitlines():
                assert not line.strip() or DROPPABLE.match(line.strip()), (p.passage_id, line)


def test_source_file_points_at_the_raw_file(passages):
    root = Path(__file__).resolve().parents[1]
    for p in passages[::17]:
        raw = (root / p.source_file).read_text(encoding="utf-8")
        assert layout_text(raw, p.start, p.end) == p.text


def test_no_noise_in_passages(passages):
    for p in passages:
        for noise in ("摄", "航拍", "资料图片", "上接", "下转", "发展中的四平发展中的四平",
                      "李坤", "总结今年以来工作四平市委"):
            assert noise not in p.text, (p.passage_id, noise)


def test_passages_end_at_sentence_boundaries(passages):
    for p in passages:
        clause_split = p.part and p.text.rstrip()[-1] in "；;，,"
        announces_list = p.text.rstrip()[-1] in "：:"  # 主要抓好以下九项重点工作：
        assert ends_sentence(p.text) or clause_split or announces_list or is_byline(p.text), \
            (p.passage_id, p.text[-20:])


def test_bylines_are_passages_of_their_own(passages):
    bylines = [p.text for p in passages if is_byline(p.text)]
    assert "本报记者 崔圣驰 张靓 高强" in bylines and "本版撰稿：本报记者 崔维利" in bylines
    assert any(b.startswith("本报记者 王冬雪") for b in bylines)


@pytest.mark.parametrize("figure", ["451.83亿元", "1022 万亩", "77.84万亩", "873.5亿元", "131.6亿元",
                                    "94亿斤", "648.94万亩", "同比增长3.7%"])
def test_wrapped_figures_come_back_whole(passages, figure):
    assert any(figure in p.text for p in passages)


def test_sentence_interrupted_by_caption_is_one_passage(passages):
    hits = [p for p in passages if "大力实施新型经营主体培育3年行动" in p.text]
    assert len(hits) == 1 and hits[0].doc_id == "001_7ebea61fa912b90f"


def test_column_break_mid_word_is_rejoined(passages):
    assert any("举办“学先进、找差距、争先锋”" in p.text for p in passages)
    assert any("新增“个转企”913户" in p.text for p in passages)


@pytest.mark.parametrize("heading", ["（二）重农业、富农民，振兴步伐更加坚实。",
                                     "一、抓招商、上项目,奋力实现争先晋位",
                                     "二、2023年主要目标和重点工作",
                                     "（一）发挥投资关键作用，着力攻坚项目建设。",
                                     "回望征途，英雄城交出亮眼答卷",
                                     "——坚决交上落实殷切嘱托高分答卷。"])
def test_headings_become_sections_not_passages(passages, heading):
    assert any(heading in p.section for p in passages)
    assert not any(heading in p.text for p in passages)


def test_articles_are_detected(passages):
    doc = [p for p in passages if p.doc_id == "004_52f73c00f5787a7c"]
    assert {p.article for p in doc} == {1, 2, 3, 4, 5, 6}
    starts = [p for prev, p in zip(doc, doc[1:]) if p.article != prev.article]
    assert len(starts) == 5 and all(p.text.startswith("本报讯") for p in starts)


def test_ids_are_unique_and_well_formed(passages):
    ids = [p.passage_id for p in passages]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"\d{3}_[0-9a-f]{16}:\d+(\.\d+)?", i) for i in ids)


def test_length_limit_and_distribution(passages):
    lengths = [len(p.text) for p in passages]
    assert max(lengths) <= 360
    assert sum(40 <= n <= 400 for n in lengths) / len(lengths) > 0.85


def test_smaller_limit_never_cuts_mid_sentence(documents):
    for doc in documents:
        for p in build_passages(doc, max_chars=120):
            assert len(p.text) <= 120
            assert ends_sentence(p.text) or p.text.rstrip()[-1] in "；;，,、：" or is_byline(p.text), p.text[-15:]


def test_split_paragraph_keeps_all_text():
    text = "第一句很长很长。" * 30 + "最后一句没有句号"
    parts = split_paragraph(text, 50)
    assert "".join(parts) == text and all(len(x) <= 50 for x in parts)


def _doc(raw: str) -> Document:
    return Document("x", "corpus/x.txt", raw, DocumentMeta("x", "t", "2024-01-01"))


def test_double_spaced_wrap_uses_line_width():
    raw = ("前三季度，全市地区生产总值实现451.83\n\n亿元，同比增长3.7%，全市规上工业增加值\n\n"
           "同比增长，发展质效持续提升。\n\n新的段落从这里开始，文字一直写到行\n\n尾然后结束。\n")
    blocks = [b.text for b in reflow_blocks(raw)]
    assert blocks[0].startswith("前三季度") and "451.83亿元" in blocks[0]
    assert blocks[0].endswith("持续提升。") and blocks[1] == "新的段落从这里开始，文字一直写到行尾然后结束。"


def test_caption_inside_sentence_is_dropped_and_sentence_rejoined():
    raw = ("这是一段很长的正文，它在这里被照片说明打断了，大力实施新\n\n\n\n会议现场。毛思博 摄\n\n"
           "型经营主体培育行动，全市农民专业合作社达到7297个。" + "这一句让这一行足够长以便判定为长行布局。" * 3 + "\n")
    (p,) = build_passages(_doc(raw))
    assert "大力实施新型经营主体培育行动" in p.text and "摄" not in p.text
    assert layout_text(raw, p.start, p.end) == p.text


def test_document_without_metadata_still_loads(tmp_path):
    (tmp_path / "new_doc.txt").write_text("本报讯 四平市某会议于2025年3月5日召开。会议强调要抓好春耕。\n",
                                          encoding="utf-8")
    (doc,) = load_corpus(tmp_path)
    assert doc.meta.inferred and doc.meta.date == "2025-03-05" and doc.meta.reports_on == (2025,)
    assert build_passages(doc)
