"""Text out of structured formats: an HTML page's article, a Word document, a PDF's text layer.

Each reader returns the document's *extracted text* (one block per line, blocks separated by a
blank line, so the layout reflow sees one paragraph per line) and what the format says about
title and date. Page furniture is left out here, where the structure still shows it: an HTML
page's navigation, sidebars, scripts and figure captions; a PDF's running headers and page
numbers. Libraries are imported when a file of their format is read.
"""
from __future__ import annotations

import io
import logging
import re
from collections import Counter

from ..errors import DocumentSkippedError
from .extracted import Extracted, decode_text, normalise_newlines

# HTML elements that are never article text.
_HTML_DROP = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
              "figure", "figcaption", "iframe", "button", "select", "svg")
_HTML_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "td", "th", "dd")
_TITLE_SUFFIX = re.compile(r"\s*[_|｜\-–—]\s*[^_|｜\-–—]{1,20}$")  # 标题_四平新闻网
# A PDF line that is only a page number: 第 1 页, - 2 -, 3, Page 4, 1/2.
_PAGE_NUMBER = re.compile(r"^(?:第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|[-—–\s]*\d+[-—–\s]*|"
                          r"(?:page|p\.)\s*\d+(?:\s*(?:of|/)\s*\d+)?|\d+\s*/\s*\d+)$", re.I)


def _clean(text: str) -> str:
    return re.sub(r"[ \t\r\n\u00a0]+", " ", text).strip()


def read_html(data: bytes, name: str) -> Extracted:
    """The main text of a web page: its <article> (or <main>, or <body>) without furniture."""
    import lxml.html
    from lxml import etree

    declared = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", data[:4096], re.I)
    try:
        markup = data.decode(declared.group(1).decode("ascii"), errors="replace") if declared else None
    except LookupError:
        markup = None
    if markup is None:
        markup, _ = decode_text(data, name)
    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)  # lxml refuses a str with an encoding declaration
    try:
        root = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as exc:
        raise DocumentSkippedError(f"{name}: unreadable: not an HTML document ({exc})") from exc
    title = _clean(" ".join(root.xpath("//title//text()")))
    title = _TITLE_SUFFIX.sub("", title) if title else ""
    date = ""
    for value in root.xpath("//time/@datetime | //meta[@property='article:published_time']/@content"
                            " | //meta[@name='pubdate' or @name='publishdate' or @name='date']/@content"):
        match = re.match(r"\s*(\d{4}-\d{2}-\d{2})", value)
        if match:
            date = match.group(1)
            break
    main = (root.xpath("//article") or root.xpath("//main") or root.xpath("//*[@itemprop='articleBody']")
            or root.xpath("//body") or [root])[0]
    for tag in _HTML_DROP:
        for element in main.xpath(f".//{tag}"):
            element.drop_tree()
    blocks = []
    for element in main.iter(*_HTML_BLOCKS):
        if element.getparent() is not None and any(a.tag in _HTML_BLOCKS for a in element.iterancestors()):
            continue  # a <p> inside an <li>: its text is in the outer block already
        text = _clean(element.text_content())
        if text:
            blocks.append(text)
        if element.tag == "h1" and text and not title:
            title = text
    headline = _clean(" ".join(main.xpath(".//h1//text()")))
    return Extracted("\n\n".join(blocks), "html", "utf-8", title_hint=headline or title, date_hint=date)


def read_docx(data: bytes, name: str) -> Extracted:
    """A Word document's paragraphs and table rows, in body order; the Title paragraph titles it."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise DocumentSkippedError(f"{name}: python-docx is not installed: pip install python-docx") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - zip, XML and package errors all mean "damaged"
        raise DocumentSkippedError(f"{name}: unreadable: damaged or not a Word .docx file ({exc})") from exc
    blocks, title = [], ""
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = _clean(paragraph.text)
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            if text and style.lower() == "title" and not title:
                title = text
            if text:
                blocks.append(text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = [_clean(c.text) for c in row.cells]
                line = "　".join(dict.fromkeys(c for c in cells if c))  # merged cells repeat
                if line:
                    blocks.append(line)
    return Extracted("\n\n".join(blocks), "docx", "utf-8", title_hint=title)


def _strip_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and the running header/footer (a line at a page's edge on most pages)."""
    edges = Counter()
    for lines in pages:
        for line in {*lines[:2], *lines[-2:]}:
            edges[re.sub(r"\d+", "#", line)] += 1
    repeated = {k for k, n in edges.items() if len(pages) > 1 and n >= max(2, len(pages) * 0.6)}
    kept = []
    for lines in pages:
        edge = set(range(min(2, len(lines)))) | set(range(max(0, len(lines) - 2), len(lines)))
        kept.append([ln for i, ln in enumerate(lines)
                     if not _PAGE_NUMBER.match(ln)
                     and not (i in edge and re.sub(r"\d+", "#", ln) in repeated)])
    return kept


def read_pdf(data: bytes, name: str) -> Extracted:
    """The text layer of a PDF, page by page, without running headers and page numbers."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise DocumentSkippedError(f"{name}: pypdf is not installed: pip install pypdf") from exc
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings repeat what we report
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentSkippedError(f"{name}: unreadable: the PDF is encrypted")
        pages = [normalise_newlines(page.extract_text() or "") for page in reader.pages]
    except DocumentSkippedError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise DocumentSkippedError(f"{name}: unreadable: damaged PDF ({type(exc).__name__}: {exc})") from exc
    lines = _strip_page_furniture([[ln.strip() for ln in p.split("\n") if ln.strip()] for p in pages])
    head = _headline_lines(lines[0]) if lines else 0
    # Headline and author/date lines become paragraphs of their own; the body stays hard-wrapped.
    text = "\n\n".join([*lines[0][:head], "\n".join(ln for page in lines for ln in page[head if page is lines[0] else 0:])])
    title = _pdf_title(reader, lines[0] if lines else [])
    if "(cid:" in text or text.count("\ufffd") > 10:
        raise DocumentSkippedError(f"{name}: unreadable: the PDF's fonts have no text mapping")
    if not text.strip():
        raise DocumentSkippedError(f"{name}: unreadable: the PDF has no text layer (a scan? run OCR first)")
    return Extracted(text, "pdf", "utf-8", title_hint=title)


def _headline_lines(first_page: list[str]) -> int:
    """How many lines open the first page as headline/author/date lines: set clearly shorter
    than the body lines, before the first line with sentence punctuation."""
    width = max((len(ln) for ln in first_page[:12]), default=0)
    count = 0
    for line in first_page[:4]:
        if re.search(r"[。！？；，]", line) or len(line) >= 0.8 * width:
            break
        count += 1
    return count if count < len(first_page) else 0


def _pdf_title(reader, first_page: list[str]) -> str:
    """The document's Title property, else a first line set clearly shorter than the text
    lines below it and without sentence punctuation (a headline)."""
    meta_title = str(getattr(reader.metadata, "title", "") or "").strip() if reader.metadata else ""
    if meta_title and meta_title.lower() not in {"untitled", "无标题"}:
        return meta_title
    if len(first_page) < 3:
        return ""
    head, width = first_page[0], max(len(ln) for ln in first_page[:12])
    if len(head) <= 40 and len(head) < 0.8 * width and not re.search(r"[。！？；，]", head):
        return head
    return ""
