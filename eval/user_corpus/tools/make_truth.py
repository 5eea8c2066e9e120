# -*- coding: utf-8 -*-
"""Write ../expected_metadata.json and ../gold.jsonl (hand-written truth, kept
here as Python so that it stays valid JSON).  Run: python3 tools/make_truth.py"""
import json, os
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
S0, S1, S2, S3, S4 = ("000_d035c923f93be10b", "001_7ebea61fa912b90f", "002_13d572a342c534f4",
                      "003_15d4afe9644c5fee", "004_52f73c00f5787a7c")
MD, CONF24, CONF21 = "2021_annual_review", "2024/conference_report", "archive/conference_report"
HTML, DOCX, PDF, PROJ = "spring_ploughing_2023", "employment_2022", "economy_2025h1", "project_construction"

META = {
  "format": 1,
  "id_rule": "document id = file name without extension, relative to docs/; when two files share a stem "
             "(conference_report.TXT and conference_report.txt) the id is the path relative to docs/ without extension.",
  "documents": {
    MD: {"path": "2021_annual_review.md",
         "title": "开局之年交出亮眼答卷——四平市2021年经济社会发展回顾",
         "date": "2022-01-05", "reports_on": [2021], "plans_for": [2022],
         "format": "md", "encoding": "utf-8", "captions": [], "bylines": ["刘畅"], "boilerplate": [],
         "note": "Markdown, one paragraph per line. The date appears only as 2022年1月5日 in the dateline; "
                 "the headline and body name 2021, the year reported on. Last paragraph: 2022年，全市将…"},
    CONF24: {"path": "2024/conference_report.TXT",
         "title": "四平市委经济工作会议召开",
         "date": "2024-12-27", "reports_on": [2024], "plans_for": [2025],
         "format": "txt", "encoding": "gbk",
         "captions": ["中央经济工作会议12月11日至12日在北京举行。新华社发",
                      "图为会议现场。（记者 王磊 摄）",
                      "秋收时节，梨树县农民驾驶收割机抢收玉米。张伟 摄",
                      "四平城区夜景。（资料图片）"],
         "bylines": ["王磊"], "boilerplate": [],
         "note": "GBK, CRLF, upper-case .TXT, hard-wrapped every 22 characters (618.7 and 101.6 and 2024 split "
                 "across lines), paragraphs indented with two U+3000. Same headline as seed 004. Dateline "
                 "'12月27日' has no year: 2024 follows from 回顾2024年 / 安排部署2025年经济工作. The caption "
                 "图为会议现场。（记者 王磊 摄） interrupts the sentence 全年固定资产投资预计…增长6.1%. The 新华社发 "
                 "caption carries a misleading date (12月11日至12日). Full-year 2024 results (GDP 618.7亿元, "
                 "+4.2%; 固投 +6.1%; 粮食 101.6亿斤; 招商到位资金 436.2亿元) and 2025 targets (GDP 5.5%左右, "
                 "固投 7%左右, 粮食 101亿斤以上, 高标准农田 60万亩以上)."},
    CONF21: {"path": "archive/conference_report.txt",
         "title": "四平市委经济工作会议召开 部署明年经济工作",
         "date": "2021-12-24", "reports_on": [2021], "plans_for": [2022],
         "format": "txt", "encoding": "utf-8",
         "captions": ["四平市委经济工作会议现场。刘洋 摄"],
         "bylines": ["陈晓东"], "boilerplate": [],
         "note": "UTF-8 with BOM, CRLF, wrapped every 20 characters with a blank line after every line (like seed "
                 "004); shares its stem with 2024/conference_report. Dateline '12月24日' has no year: 2021 follows "
                 "from 安排部署20|22年 (split across lines) and 今年是“十四五”开局之年. Only 2022 targets carry figures "
                 "(GDP 6.5%左右, 固投 12%左右, 社零 9%左右)."},
    HTML: {"path": "web/spring_ploughing_2023.html",
         "title": "四平：备足农资抢农时 春耕备耕有序推进",
         "date": "2023-04-18", "reports_on": [2023], "plans_for": [2023],
         "format": "html", "encoding": "utf-8",
         "captions": ["梨树县农民正在检修免耕播种机。记者 赵雪 摄"],
         "bylines": ["赵雪", "孙立新"],
         "boilerplate": ["四平新闻网", "当前位置：首页 > 三农 > 正文", "相关新闻",
                         "伊通县：“春风行动”送岗位到村头", "四平召开全市农业农村工作会议", "市区新增公交线路3条",
                         "版权所有 © 2016-2023 四平新闻网 四平日报社 未经授权禁止转载、摘编、复制或建立镜像",
                         "吉ICP备00000000号-1"],
         "note": "Date only in <time datetime=\"2023-04-18T09:32:00+08:00\">; <title> has the suffix _四平新闻网; "
                 "nav, search form, related-links sidebar (with other dates), share links and copyright footer "
                 "surround the <article>; the photo caption is a <figcaption>."},
    DOCX: {"path": "reports/employment_2022.docx",
         "title": "四平市2022年就业创业工作情况报告",
         "date": "2023-01-10", "reports_on": [2022], "plans_for": [2023],
         "format": "docx", "encoding": "utf-8", "captions": [], "bylines": ["周晓燕"], "boilerplate": [],
         "note": "python-docx: Title style headline, Heading 1/2 sections, a 4x4 table (its cells are not "
                 "paragraphs), date in the second paragraph (2023年1月10日)."},
    PDF: {"path": "reports/economy_2025h1.pdf",
         "title": "2025年上半年四平市经济运行情况分析",
         "date": "2025-07-18", "reports_on": [2025], "plans_for": [2025],
         "format": "pdf", "encoding": "utf-8", "captions": [], "bylines": ["吴昊"],
         "boilerplate": ["四平市统计局 · 统计分析", "第 1 页", "第 2 页"],
         "note": "Two-page PDF (reportlab, embedded WenQuanYi Micro Hei subset); pypdf extracts clean text. A "
                 "running header and page number stand between the pages' text. Half-year figures only: no 2025 "
                 "full-year result exists in the user corpus."},
    PROJ: {"path": "project_construction.txt",
         "title": "项目建设跑出“加速度” 振兴发展动能持续增强",
         "date": "2023-11-15", "reports_on": [2023], "plans_for": [2024],
         "format": "txt", "encoding": "utf-8", "captions": [], "bylines": ["李明"], "boilerplate": ["（上接二版）"],
         "note": "One paragraph per long line, blank lines between; starts with （上接二版）, ends with the byline "
                 "——记者 李明. The only explicit year is the dateline 2023年11月15日: 今年以来/今年 = 2023, "
                 "去年同期 = 2022, 明年 = 2024."},
  },
  "skipped": {
    "misc/notes.xlsx": "unsupported format (.xlsx spreadsheet); it holds a 2020 grain figure (88.6亿斤) that appears nowhere else, so reading it would wrongly answer the unanswerable 2020 question",
    "photos/meeting_photo.jpg": "unsupported format (.jpg image byte blob, no text)",
    "reports/broken_scan.pdf": "unreadable: truncated/corrupt PDF (header and three objects, then random bytes; no xref, no trailer, no %%EOF, no text)",
  },
}

def q(i, question, typ, doc, ev, ans, year, wrong=(), ref=None):
    return {"id": "u%03d" % i, "question": question, "type": typ, "style": "plain", "doc_id": doc,
            "evidence": ev, "answer": ans, "year": year, "wrong_year_docs": list(wrong), "reference_date": ref}

GRAIN_OTHER_THAN_2021 = [CONF24, S0, S1, S2, S3]
G = []
n = iter(range(1, 100))
# ---- year_figure: metrics reported for several years across user + seed docs
G.append(q(next(n), "2021年四平粮食总产量是多少", "year_figure", MD, "粮食总产量达到92.3亿斤，实现“十八连丰”", "92.3亿斤", 2021, GRAIN_OTHER_THAN_2021))
G.append(q(next(n), "2024年全年四平粮食总产量是多少", "year_figure", CONF24, "全年粮食总产量达到101.6亿斤，首次迈上百亿斤台阶", "101.6亿斤", 2024, [MD, S1, S2, S3]))
G.append(q(next(n), "2021年四平地区生产总值是多少亿元", "year_figure", MD, "2021年全市地区生产总值完成586.4亿元，同比增长6.3%", "586.4亿元", 2021, [CONF24, PDF, S0]))
G.append(q(next(n), "2024年全年四平GDP总量是多少", "year_figure", CONF24, "全年地区生产总值预计完成618.7亿元，同比增长4.2%", "618.7亿元", 2024, [MD, PDF]))
G.append(q(next(n), "2024年全年四平经济增长了多少", "year_figure", CONF24, "全年地区生产总值预计完成618.7亿元，同比增长4.2%", "4.2%", 2024, [MD, CONF21, PDF, S1, S2, S4]))
G.append(q(next(n), "2025年上半年四平地区生产总值增长多少", "year_figure", PDF, "上半年全市地区生产总值完成281.9亿元，按不变价格计算，同比增长5.6%", "5.6%", 2025, [MD, CONF21, CONF24, S0, S1, S2, S4]))
G.append(q(next(n), "2021年四平固定资产投资增长了多少", "year_figure", MD, "全年固定资产投资同比增长8.9%", "8.9%", 2021, [CONF21, PROJ, CONF24, PDF, S0, S2, S4]))
G.append(q(next(n), "2023年1至10月四平固定资产投资同比增长多少", "year_figure", PROJ, "1—10月，全市固定资产投资同比增长9.4%", "9.4%", 2023, [MD, CONF21, CONF24, PDF, S0]))
G.append(q(next(n), "2025年上半年四平固定资产投资增速是多少", "year_figure", PDF, "上半年全市固定资产投资同比增长6.8%", "6.8%", 2025, [MD, CONF21, PROJ, CONF24, S0, S2, S4]))
G.append(q(next(n), "2024年全年四平固定资产投资增长多少", "year_figure", CONF24, "全年固定资产投资预计增长6.1%，高于全省平均增速2.4个百分点", "6.1%", 2024, [MD, CONF21, PROJ, PDF, S2, S4]))
G.append(q(next(n), "2021年四平城镇新增就业多少人", "year_figure", MD, "全年城镇新增就业2.12万人，完成省定目标的112.6%", "2.12万人", 2021, [PROJ, S0, S1, S2]))
G.append(q(next(n), "2023年前10个月四平城镇新增就业多少人", "year_figure", PROJ, "1—10月，全市城镇新增就业1.38万人，同比增长9.1%", "1.38万人", 2023, [MD, S0, S2]))
G.append(q(next(n), "2021年四平新建了多少万亩高标准农田", "year_figure", MD, "全年新建高标准农田41.2万亩", "41.2万亩", 2021, [PROJ, CONF24, PDF, S0, S1, S2]))
G.append(q(next(n), "2023年四平实际新建高标准农田多少亩", "year_figure", PROJ, "今年全市新建高标准农田33.8万亩，目前已全部完工并通过验收", "33.8万亩", 2023, [MD, CONF24, PDF, S0, S2]))
G.append(q(next(n), "2022年四平高校毕业生在平就业多少人", "year_figure", DOCX, "全年高校毕业生在平就业7316人，同比增长13.8%", "7316人", 2022, [MD, S0]))
G.append(q(next(n), "去年四平粮食总产量是多少", "year_figure", CONF24, "全年粮食总产量达到101.6亿斤，首次迈上百亿斤台阶", "101.6亿斤", 2024, [MD, S1, S2, S3], "2025-03-01"))
G.append(q(next(n), "去年四平新建高标准农田多少亩", "year_figure", PROJ, "今年全市新建高标准农田33.8万亩，目前已全部完工并通过验收", "33.8万亩", 2023, [MD, CONF24, PDF, S0, S2], "2024-02-20"))
# ---- synonym
G.append(q(next(n), "2021年四平社零额是多少", "synonym", MD, "全年社会消费品零售总额实现228.5亿元，同比增长10.3%", "228.5亿元", 2021, [CONF21, CONF24, PDF, S0, S2, S4]))
G.append(q(next(n), "2025年上半年四平规上工业增速", "synonym", PDF, "上半年全市规上工业增加值同比增长7.2%", "7.2%", 2025, [MD, CONF24, S0]))
# ---- figure (HTML, DOCX, PDF)
G.append(q(next(n), "2023年春耕期间四平发放了多少春耕备耕贷款", "figure", HTML, "全市已发放春耕备耕贷款38.7亿元，同比增长16.2%", "38.7亿元", 2023))
G.append(q(next(n), "2023年春耕前四平检修了多少台套农机具", "figure", HTML, "全市共检修各类农机具4.8万台套", "4.8万台套", 2023))
G.append(q(next(n), "2022年四平发放了多少创业担保贷款", "figure", DOCX, "全年发放创业担保贷款1.37亿元，扶持1860人成功创业", "1.37亿元", 2022))
G.append(q(next(n), "2025年四平高标准农田建设任务是多少万亩", "figure", PDF, "今年全市高标准农田建设任务64.3万亩", "64.3万亩", 2025))
# ---- entity: meeting dates, bylines / authors
G.append(q(next(n), "部署2025年经济工作的四平市委经济工作会议是哪天召开的", "entity", CONF24, "12月27日，四平市委经济工作会议召开", "12月27日", None))
G.append(q(next(n), "部署2022年经济工作的四平市委经济工作会议是哪天召开的", "entity", CONF21, "四平市委经济工作会议12月24日召开", "12月24日", None))
G.append(q(next(n), "2024年底市委经济工作会议的报道是哪位记者写的", "entity", CONF24, "本报讯（记者 王磊）12月27日", "王磊", None))
G.append(q(next(n), "四平2021年经济社会发展回顾是哪位记者写的", "entity", MD, "本报讯（记者 刘畅）2022年1月5日", "刘畅", None))
G.append(q(next(n), "四平春耕备耕有序推进那篇报道的记者是谁", "entity", HTML, "本报讯（记者 赵雪 通讯员 孙立新）", "赵雪", None))
G.append(q(next(n), "2025年上半年四平经济运行情况分析是谁撰稿的", "entity", PDF, "撰稿：吴昊", "吴昊", None))
G.append(q(next(n), "四平2022年就业创业工作情况报告由谁执笔", "entity", DOCX, "（执笔：周晓燕）", "周晓燕", None))
G.append(q(next(n), "项目建设跑出加速度那篇报道的记者是谁", "entity", PROJ, "——记者 李明", "李明", None))
# ---- policy / targets (asked as targets)
G.append(q(next(n), "2025年四平地区生产总值预期增长目标是多少", "policy", CONF24, "2025年全市经济社会发展的主要预期目标是：地区生产总值增长5.5%左右", "5.5%左右", 2025, [CONF21, S2, S4]))
G.append(q(next(n), "2022年四平固定资产投资增长目标是多少", "policy", CONF21, "固定资产投资增长12%左右", "12%左右", 2022, [CONF24, S2, S4]))
G.append(q(next(n), "2023年四平高校毕业生在平就业的目标是多少人", "policy", DOCX, "力争全年高校毕业生在平就业8000人以上", "8000人以上", 2023))
G.append(q(next(n), "2024年底市委经济工作会议部署的第一项重点任务是什么", "policy", CONF24, "一、坚定不移抓项目扩投资", "坚定不移抓项目扩投资", None))
# ---- unanswerable
G.append(q(next(n), "2020年四平粮食产量是多少", "unanswerable", None, None, None, 2020, [MD, CONF24, S0, S1, S2, S3]))
G.append(q(next(n), "2025年全年四平地区生产总值是多少亿元", "unanswerable", None, None, None, 2025, [MD, CONF24, S0]))
G.append(q(next(n), "2025年全年四平固定资产投资实际增长了多少", "unanswerable", None, None, None, 2025, [MD, PROJ, CONF24, S0]))
G.append(q(next(n), "2021年四平外贸进出口总额是多少亿元", "unanswerable", None, None, None, 2021, []))
G.append(q(next(n), "2023年全年四平招商引资到位资金是多少", "unanswerable", None, None, None, 2023, [MD, CONF24, S0]))

with open(os.path.join(ROOT, "expected_metadata.json"), "w", encoding="utf-8") as f:
    json.dump(META, f, ensure_ascii=False, indent=2)
    f.write("\n")
with open(os.path.join(ROOT, "gold.jsonl"), "w", encoding="utf-8") as f:
    for item in G:
        f.write(json.dumps(item, ensure_ascii=False) + "\n")
print(len(G), "gold items")
