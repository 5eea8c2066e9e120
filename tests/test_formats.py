"""Documents a user adds: every format and encoding, files skipped with a reason, passage offsets
into the extracted text, photo captions and bylines (user corpus in eval/user_corpus)."""
from __future__ import annotations

import io
import json
import shutil

import pytest
from support import ROOT

from qa_service.corpus import build_passages, layout_text
from qa_service.corpus.formats import decode_text, extract
from qa_service.corpus.layout import is_caption
from qa_service.corpus.loading import load_corpus, scan_corpus
from qa_service.errors import CorpusError, DocumentSkippedError

USER = ROOT / "eval" / "user_corpus"
EXPECTED = json.loads((USER / "expected_metadata.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def user_scan():
    return scan_corpus(USER / "docs", root=ROOT)


@pytest.fixture(scope="module")
def user_docs(user_scan):
    return {d.doc_id: d for d in user_scan.documents}


def test_every_user_document_is_read_under_its_id(user_docs):
    assert set(user_docs) == set(EXPECTED["documents"])
    formats = {doc_id: d.format for doc_id, d in user_docs.items()}
    assert formats == {doc_id: e["format"] for doc_id, e in EXPECTED["documents"].items()}
    assert user_docs["2024/conference_report"].encoding in {"gb18030", "gbk", "gb2312"}


def test_unusable_files_are_skipped_with_a_reason(user_scan):
    skipped = {s.path: s.reason for s in user_scan.skipped}
    assert set(skipped) == set(EXPECTED["skipped"])
    assert skipped["misc/notes.xlsx"].startswith("unsupported format (.xlsx)")
    assert skipped["photos/meeting_photo.jpg"].startswith("unsupported format (.jpg)")
    assert skipped["reports/broken_scan.pdf"].startswith("unreadable: damaged PDF")


def test_the_spreadsheet_trap_is_never_read(user_docs):
    assert not any("88.6亿斤" in d.raw for d in user_docs.values())


@pytest.mark.parametrize("doc_id", sorted(EXPECTED["documents"]))
def test_inferred_metadata_equals_the_truth_file(user_docs, doc_id):
    meta, expected = user_docs[doc_id].meta, EXPECTED["documents"][doc_id]
    assert meta.inferred
    assert (meta.title, meta.date) == (expected["title"], expected["date"])
    assert (list(meta.reports_on), list(meta.plans_for)) == (expected["reports_on"], expected["plans_for"])
    assert list(meta.bylines) == expected["bylines"]


@pytest.mark.parametrize("doc_id", sorted(EXPECTED["documents"]))
def test_passages_point_into_the_extracted_text_without_captions_or_furniture(user_docs, doc_id):
    doc, expected = user_docs[doc_id], EXPECTED["documents"][doc_id]
    passages = build_passages(doc)
    assert passages
    for p in passages:
        assert layout_text(doc.raw, p.start, p.end) == p.text
        for noise in expected["captions"] + expected["boilerplate"]:
            assert noise not in p.text
    joined = "".join(p.text for p in passages)
    assert "618.7亿元" in joined or doc_id != "2024/conference_report"  # wrapped across lines


def test_caption_in_mid_sentence_is_cut_and_the_sentence_joined(user_docs):
    passages = build_passages(user_docs["2024/conference_report"])
    assert any("全年固定资产投资预计增长6.1%" in p.text for p in passages)
    assert not any("王磊 摄" in p.text or "图为" in p.text for p in passages)


@pytest.mark.parametrize("line", [
    "图为会议现场。（记者 王磊 摄）", "中央经济工作会议12月11日至12日在北京举行。新华社发",
    "秋收时节，梨树县农民驾驶收割机抢收玉米。张伟 摄", "四平城区夜景。（资料图片）", "（资料图片）",
    "资料图片", "四平市委经济工作会议现场。韩振伟 摄", "发展中的四平。（资料图片）李刚 航拍",
    "梨树县农民正在检修免耕播种机。记者 赵雪 摄", "春耕现场。（新华社记者 张三 摄）",
])
def test_caption_forms(line):
    assert is_caption(line)


@pytest.mark.parametrize("line", ["全年固定资产投资预计", "会议指出，回顾2024年，面对外部环境复",
                                  "本报讯（记者 王磊）12月27日，四平市"])
def test_text_lines_are_no_captions(line):
    assert not is_caption(line)


# --- encodings and failures -----------------------------------------------------------------

TEXT = "本报讯 四平市某会议于2025年3月5日召开。会议强调要抓好春耕，全市粮食产量达到100亿斤。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16"])
def test_plain_text_in_common_chinese_encodings(tmp_path, encoding):
    text = TEXT if encoding != "big5" else "本報訊 四平市某會議於2025年3月5日召開。會議強調要抓好春耕，全市糧食產量達到100億斤。\n"
    path = tmp_path / "doc.TXT"
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    extracted = extract(path)
    assert extracted.text == text  # BOM gone, CRLF normalised
    assert extracted.format == "txt"


def test_undecodable_and_binary_text_is_skipped_with_a_reason(tmp_path):
    with pytest.raises(DocumentSkippedError, match="binary data"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "x.txt")
    (tmp_path / "empty.md").write_bytes(b"  \n\n")
    with pytest.raises(DocumentSkippedError, match="no text"):
        extract(tmp_path / "empty.md")


def test_damaged_docx_and_pdf_are_skipped(tmp_path):
    (tmp_path / "a.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
    (tmp_path / "c.PDF").write_bytes(b"")
    for name in ("a.docx", "b.pdf", "c.PDF"):
        with pytest.raises(DocumentSkippedError, match="unreadable"):
            extract(tmp_path / name)


def test_one_bad_file_never_fails_the_others(tmp_path):
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.pdf").write_bytes(b"%PDF-1.7 garbage")
    (tmp_path / "sub" / "table.xlsx").write_bytes(b"PK\x03\x04")
    (tmp_path / ".hidden.txt").write_text("隐藏文件。", encoding="utf-8")
    scan = scan_corpus(tmp_path)
    assert [d.doc_id for d in scan.documents] == ["good"]
    assert sorted(s.path for s in scan.skipped) == ["sub/bad.pdf", "sub/table.xlsx"]


def test_a_corpus_of_unusable_files_only_is_an_error_naming_them(tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    with pytest.raises(CorpusError, match="photo.jpg: unsupported format"):
        load_corpus(tmp_path)


def test_same_stem_in_two_folders_gets_path_ids(tmp_path):
    for folder in ("2024", "archive"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text(TEXT, encoding="utf-8")
    assert sorted(d.doc_id for d in load_corpus(tmp_path)) == ["2024/report", "archive/report"]


def test_html_keeps_the_article_and_drops_the_page_furniture(user_docs):
    doc = user_docs["spring_ploughing_2023"]
    assert doc.raw.startswith("四平：备足农资抢农时")
    for furniture in ("站内搜索", "相关新闻", "版权所有", "var _stat", "检修免耕播种机。记者"):
        assert furniture not in doc.raw


def test_docx_keeps_headings_and_table_rows_in_order(user_docs):
    raw = user_docs["employment_2022"].raw
    assert raw.index("一、2022年就业工作主要成效") < raw.index("高校毕业生在平就业\u30007000人") < raw.index("（四）加强人才引进")


def test_pdf_drops_running_headers_and_page_numbers(user_docs):
    raw = user_docs["economy_2025h1"].raw
    assert "第 1 页" not in raw and "第 2 页" not in raw and "统计分析" not in raw
    assert "281.9亿元" in raw


def test_markdown_headings_lose_their_marks(tmp_path):
    (tmp_path / "a.md").write_text("# 标题一\n\n正文有**重点**和[链接](http://x)。\n", encoding="utf-8")
    extracted = extract(tmp_path / "a.md")
    assert extracted.title_hint == "标题一"
    assert extracted.text == "标题一\n\n正文有重点和链接。\n"


def test_generated_docx_and_html(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("测试标题", level=0)
    document.add_paragraph("本报讯 2024年5月6日，测试文档第一段。")
    buffer = io.BytesIO()
    document.save(buffer)
    (tmp_path / "t.DOCX").write_bytes(buffer.getvalue())
    (tmp_path / "p.htm").write_text("<html><head><title>网页标题_某网</title></head><body><nav>导航</nav>"
                                    "<p>网页正文。</p><footer>版权</footer></body></html>", encoding="utf-8")
    docs = {d.doc_id: d for d in load_corpus(tmp_path)}
    assert docs["t"].meta.title == "测试标题" and docs["t"].meta.date == "2024-05-06"
    assert docs["p"].raw == "网页正文。" and docs["p"].meta.title == "网页标题"


def test_copied_user_corpus_loads_next_to_the_seed_corpus(tmp_path):
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    shutil.copytree(USER / "docs", tmp_path / "corpus" / "user")
    scan = scan_corpus(tmp_path / "corpus")
    assert len(scan.documents) == 5 + len(EXPECTED["documents"]) and len(scan.skipped) == 3
