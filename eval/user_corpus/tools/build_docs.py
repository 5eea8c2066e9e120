# -*- coding: utf-8 -*-
"""Render the fictional user-corpus documents into ../docs/.

Run with a Python that has python-docx, reportlab and openpyxl:
    python3 -m venv /tmp/ucvenv && /tmp/ucvenv/bin/pip install python-docx pypdf reportlab openpyxl
    /tmp/ucvenv/bin/python eval/user_corpus/tools/build_docs.py
The PDF needs a TrueType CJK font (Debian: fonts-wqy-microhei).
Output is deterministic (fixed random seed, fixed document dates).
"""
import html
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import texts as T  # noqa: E402

DOCS = os.path.join(os.path.dirname(HERE), "docs")


def out(rel):
    p = os.path.join(DOCS, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


NO_LINE_START = "，。；：、）”’！？%"


def hard_wrap(s, width):
    """Cut s into lines of `width` characters, even inside numbers.

    "¦" in s forces a line break at that point (used to split a figure such
    as 618.7 across two lines); a closing punctuation mark is kept on the
    line before it, as typesetters do.
    """
    lines = []
    for chunk in s.split("¦"):
        i = 0
        while i < len(chunk):
            j = min(i + width, len(chunk))
            while j < len(chunk) and chunk[j] in NO_LINE_START:
                j += 1
            lines.append(chunk[i:j])
            i = j
    return lines


# a. markdown ---------------------------------------------------------------
def build_md():
    lines = ["# " + T.ANNUAL_2021_TITLE, ""]
    for p in T.ANNUAL_2021:
        lines += [p, ""]
    with open(out("2021_annual_review.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines))


# b. GBK hard-wrapped page dump ----------------------------------------------
def build_gbk(width=22):
    lines = [T.CONF_2024_TITLE, T.CONF_2024_SUBTITLE]
    for item in T.CONF_2024:
        if item.startswith("CAPTION:"):
            lines.append(item[len("CAPTION:"):])
        elif item.startswith("HEAD:"):
            lines.append(item[len("HEAD:"):])
        else:
            parts = re.split(r"\{CAP:(.*?)\}", "\u3000\u3000" + item)
            # parts = [text, caption, text, caption, text...]
            for i, part in enumerate(parts):
                if i % 2 == 1:
                    lines.append(part)
                elif part:
                    lines += hard_wrap(part, width)
    data = "\r\n".join(lines) + "\r\n"
    with open(out("2024/conference_report.TXT"), "wb") as f:
        f.write(data.encode("gbk"))


# c. HTML page ----------------------------------------------------------------
HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="keywords" content="四平,春耕,备耕,农资,农机">
<meta name="description" content="四平新闻网 经济频道">
<title>{title}_四平新闻网</title>
<style>
body {{ font-family: sans-serif; margin: 0; }}
nav ul {{ list-style: none; display: flex; gap: 1em; }}
.sidebar {{ float: right; width: 260px; }}
</style>
<script>
  var _stat = _stat || []; (function () {{ var s = document.createElement("script"); s.src = "/stat.js"; }})();
</script>
</head>
<body>
<header class="site-header">
  <div class="logo"><a href="/">四平新闻网</a></div>
  <div class="slogan">英雄城 满韵地 黑土情</div>
  <form class="search" action="/search"><input name="q" placeholder="站内搜索"><button>搜索</button></form>
</header>
<nav>
  <ul>
    <li><a href="/">首页</a></li><li><a href="/sz/">时政</a></li><li><a href="/jj/">经济</a></li>
    <li><a href="/ny/">三农</a></li><li><a href="/ms/">民生</a></li><li><a href="/tp/">图片</a></li>
    <li><a href="/sp/">视频</a></li><li><a href="/epaper/">数字报</a></li>
  </ul>
</nav>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/ny/">三农</a> &gt; 正文</div>
<div class="container">
<aside class="sidebar related">
  <h3>相关新闻</h3>
  <ul>
    <li><a href="/ny/2023-04/12/c_1001.html">伊通县：“春风行动”送岗位到村头</a> <span>2023-04-12</span></li>
    <li><a href="/ny/2023-03/28/c_0987.html">双辽市开展农资打假“春雷行动”</a> <span>2023-03-28</span></li>
    <li><a href="/jj/2023-03/15/c_0950.html">四平召开全市农业农村工作会议</a> <span>2023-03-15</span></li>
    <li><a href="/ny/2022-10/09/c_0812.html">金秋时节丰收忙 四平大地秋收正酣</a> <span>2022-10-09</span></li>
  </ul>
  <h3>热点排行</h3>
  <ol>
    <li><a href="/sz/2023-04/17/c_1010.html">市政府召开常务会议</a></li>
    <li><a href="/ms/2023-04/16/c_1008.html">市区新增公交线路3条</a></li>
  </ol>
</aside>
<main>
<article class="news-article">
  <h1>{title}</h1>
  <div class="info">
    <time datetime="2023-04-18T09:32:00+08:00">2023-04-18 09:32</time>
    <span class="source">来源：四平日报</span>
    <span class="author">作者：赵雪 孙立新</span>
    <span class="views">阅读：<em id="views">--</em></span>
  </div>
  <div class="content">
{body}
  </div>
  <div class="editor">【责任编辑：孙丽】</div>
  <div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
</article>
</main>
</div>
<footer class="site-footer">
  <p><a href="/about/">关于我们</a> | <a href="/contact/">联系我们</a> | <a href="/copyright/">版权声明</a></p>
  <p>版权所有 © 2016-2023 四平新闻网 四平日报社 未经授权禁止转载、摘编、复制或建立镜像</p>
  <p>吉ICP备00000000号-1 违法和不良信息举报电话：0434-0000000</p>
</footer>
</body>
</html>
"""


def build_html():
    body = []
    for p in T.SPRING_2023:
        if p.startswith("FIGURE:"):
            cap = html.escape(p[len("FIGURE:"):])
            body.append('    <figure><img src="/uploads/2023/04/18/chungeng_01.jpg" alt="春耕备耕">'
                        "<figcaption>%s</figcaption></figure>" % cap)
        else:
            body.append("    <p>%s</p>" % html.escape(p, quote=False))
    doc = HTML_TEMPLATE.format(title=html.escape(T.SPRING_2023_TITLE, quote=False), body="\n".join(body))
    with open(out("web/spring_ploughing_2023.html"), "w", encoding="utf-8", newline="\n") as f:
        f.write(doc)


# d. DOCX ---------------------------------------------------------------------
def build_docx():
    import datetime
    import docx
    d = docx.Document()
    d.core_properties.title = T.EMPLOY_2022_TITLE
    d.core_properties.author = "四平市人力资源和社会保障局"
    # fixed timestamps so the output does not reveal the build date
    d.core_properties.created = datetime.datetime(2023, 1, 10, 9, 0, 0)
    d.core_properties.modified = datetime.datetime(2023, 1, 10, 9, 0, 0)
    d.add_heading(T.EMPLOY_2022_TITLE, 0)
    for p in T.EMPLOY_2022:
        if p.startswith("H1:"):
            d.add_heading(p[3:], 1)
        elif p.startswith("H2:"):
            d.add_heading(p[3:], 2)
        elif p == "TABLE":
            d.add_paragraph("附表：2022年主要就业创业指标完成情况")
            rows = T.EMPLOY_2022_TABLE
            t = d.add_table(rows=len(rows), cols=len(rows[0]))
            t.style = "Table Grid"
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    t.cell(i, j).text = cell
        else:
            d.add_paragraph(p)
    d.save(out("reports/employment_2022.docx"))


# e. PDF ----------------------------------------------------------------------
FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
]


def build_pdf():
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    for path, idx in FONT_CANDIDATES:
        if os.path.exists(path):
            pdfmetrics.registerFont(TTFont("CJK", path, subfontIndex=idx))
            break
    else:
        raise SystemExit("no TrueType CJK font found (apt-get install fonts-wqy-microhei)")

    title = ParagraphStyle("t", fontName="CJK", fontSize=17, leading=24, alignment=1, wordWrap="CJK", spaceAfter=6)
    meta = ParagraphStyle("m", fontName="CJK", fontSize=10.5, leading=16, alignment=1, wordWrap="CJK", spaceAfter=10)
    head = ParagraphStyle("h", fontName="CJK", fontSize=13, leading=20, wordWrap="CJK", spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("b", fontName="CJK", fontSize=11.5, leading=19, wordWrap="CJK", firstLineIndent=23, spaceAfter=4)

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont("CJK", 8.5)
        canvas.drawString(20 * mm, A4[1] - 12 * mm, "四平市统计局 · 统计分析")
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, "第 %d 页" % doc.page)
        canvas.restoreState()

    story = [Paragraph(T.ECON_2025H1_TITLE, title)]
    for i, p in enumerate(T.ECON_2025H1):
        if i == 0:
            story.append(Paragraph(p, meta))
        elif p.startswith("H:"):
            story.append(Paragraph(p[2:], head))
        else:
            story.append(Paragraph(p, body))
    story.append(Spacer(1, 6))
    doc = SimpleDocTemplate(out("reports/economy_2025h1.pdf"), pagesize=A4,
                            leftMargin=25 * mm, rightMargin=25 * mm, topMargin=22 * mm, bottomMargin=22 * mm,
                            title=T.ECON_2025H1_TITLE, author="四平市统计局", invariant=1)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)


# f. long-line txt --------------------------------------------------------------
def build_project_txt():
    parts = [T.PROJECT_2023_TITLE] + T.PROJECT_2023
    with open(out("project_construction.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n\n".join(parts) + "\n")


# g'. seed-like wrapped txt with BOM + CRLF, blank line after every line ----------
def build_archive(width=20):
    lines = [T.CONF_2021_TITLE]
    for item in T.CONF_2021:
        if item.startswith("CAPTION:"):
            lines.append(item[len("CAPTION:"):])
        else:
            lines += hard_wrap(item, width)
    data = "\ufeff" + "".join(l + "\r\n\r\n" for l in lines)
    with open(out("archive/conference_report.txt"), "wb") as f:
        f.write(data.encode("utf-8"))


# g. unsupported and broken files ---------------------------------------------
def build_bad():
    rnd = random.Random(20241227)
    # a JPEG-looking byte blob (unsupported extension)
    blob = bytes([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    blob += bytes(rnd.getrandbits(8) for _ in range(6000)) + bytes([0xFF, 0xD9])
    with open(out("photos/meeting_photo.jpg"), "wb") as f:
        f.write(blob)
    # a real spreadsheet (unsupported format). Its figure (2020 grain output)
    # appears nowhere else: a service that wrongly reads it would "answer" the
    # unanswerable 2020 question.
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "笔记"
    ws.append(["年份", "指标", "数值", "备注"])
    ws.append([2020, "粮食总产量", "88.6亿斤", "草稿，未核实"])
    ws.append([2021, "地区生产总值", "待补", ""])
    wb.properties.creator = "user"
    import datetime
    wb.properties.created = wb.properties.modified = datetime.datetime(2024, 1, 2, 8, 0, 0)
    wb.save(out("misc/notes.xlsx"))
    # a truncated / corrupt PDF: header, a few objects, then garbage, no xref, no %%EOF
    bad = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
           b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
           b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n"
           b"4 0 obj\n<< /Length 8000 /Filter /FlateDecode >>\nstream\n")
    bad += bytes(rnd.getrandbits(8) for _ in range(1500))
    with open(out("reports/broken_scan.pdf"), "wb") as f:
        f.write(bad)


if __name__ == "__main__":
    build_md()
    build_gbk()
    build_html()
    build_docx()
    build_pdf()
    build_project_txt()
    build_archive()
    build_bad()
    print("built into", DOCS)
