"""HTML blueprint: the search page ``/`` and the source view ``/docs/<doc_id>``.

Pages work without JavaScript. Highlighted text is assembled from escaped pieces and
``<mark>`` tags (``mark_text``), so corpus text and questions are never trusted as HTML.
"""
from __future__ import annotations

import re

from flask import Blueprint, Response, render_template, request, url_for
from markupsafe import Markup, escape

from ..errors import InvalidQuestionError
from ..service.requests import clean_question, parse_ask
from .common import html_error, request_limits, service_holder

pages = Blueprint("pages", __name__)

EXAMPLES = (
    "2024年前三季度GDP是多少",
    "2022年四平粮食产量是多少",
    "十五五期间四平要建设哪几座城",
    "2023年上半年城镇新增就业多少人",
)
TOP_K_CHOICES = (3, 5, 10, 20)
_MESSAGES = {
    "empty_question": "请输入问题。",
    "question_too_long": "问题太长了，请精简到 {n} 个字以内。",
    "invalid_top_k": "返回条数不正确。",
    "invalid_year": "年份不正确。",
    "invalid_question": "问题中含有无法识别的字符。",
}
_RANGE = re.compile(r"(\d{1,7})-(\d{1,7})", re.ASCII)
_TOP_K = re.compile(r"\d{1,3}", re.ASCII)


def merge_ranges(ranges, length: int) -> list[tuple[int, int]]:
    """Clamp ``[start, end)`` ranges to ``[0, length]``, drop empty ones, merge overlaps."""
    clean = sorted((max(0, int(s)), min(length, int(e))) for s, e in ranges)
    merged: list[tuple[int, int]] = []
    for start, end in clean:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def mark_text(text: str, ranges=()) -> Markup:
    """``text`` as HTML with each ``[start, end)`` range wrapped in ``<mark>``, all escaped."""
    out: list[Markup] = []
    pos = 0
    for start, end in merge_ranges(ranges, len(text)):
        out += [escape(text[pos:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def paragraph_label(passage) -> str:
    label = f"第{passage.paragraph}段"
    return f"{label}（第{passage.part}部分）" if passage.part else label


def source_href(passage, mark: tuple[int, int] | None = None) -> str:
    """Link to the source view, highlighted server-side (``hl``) and by ``:target`` (anchor)."""
    params = {"hl": passage.passage_id}
    if mark:
        params["mark"] = f"{mark[0]}-{mark[1]}"
    return url_for("pages.document", doc_id=passage.doc_id, _anchor=passage.anchor, **params)


def _span_in_sentence(span) -> tuple[int, int] | None:
    """Offsets of the key span inside the answer sentence (they are given into the passage)."""
    if not span.span:
        return None
    start = span.span_start - span.sentence_start
    end = start + len(span.span)
    if 0 <= start and span.text[start:end] == span.span:
        return start, end
    found = span.text.find(span.span)
    return None if found < 0 else (found, found + len(span.span))


def _span_view(span, hits) -> dict | None:
    """An answer span with its citation, ready for the template (None: no answer)."""
    if span is None:
        return None
    hit = next((h for h in hits if h.rank == span.citation), None)
    if hit is None:
        hit = next((h for h in hits if h.passage.passage_id == span.passage_id), None)
    inner = _span_in_sentence(span)
    mark = (span.span_start, span.span_end) if span.span else (span.sentence_start, span.sentence_end)
    return {
        "html": mark_text(span.text, [inner] if inner else []),
        "span": span.span,
        "citation": span.citation,
        "passage": hit.passage if hit else None,
        "paragraph_label": paragraph_label(hit.passage) if hit else "",
        "href": source_href(hit.passage, mark) if hit else None,
    }


def _answer_view(answer) -> dict | None:
    if answer.abstained or answer.answer is None:
        return None
    return _span_view(answer.answer, answer.hits)


def _answer_mark(answer) -> tuple[int, int] | None:
    """What to mark in the cited passage's source view: the key span, else the sentence."""
    span = answer.answer
    if answer.abstained or span is None:
        return None
    return (span.span_start, span.span_end) if span.span else (span.sentence_start, span.sentence_end)


def _hit_view(hit, highlights, mark: tuple[int, int] | None) -> dict:
    return {
        "rank": hit.rank,
        "passage": hit.passage,
        "paragraph_label": paragraph_label(hit.passage),
        "html": mark_text(hit.passage.text, highlights.get(hit.passage.passage_id, ())),
        "href": source_href(hit.passage, mark),
        "score": hit.score,
    }


def _top_k(limits) -> int:
    value = request.args.get("top_k", "").strip()
    if _TOP_K.fullmatch(value) and 1 <= int(value) <= limits.max_top_k:
        return int(value)
    return limits.default_top_k


@pages.route("/", methods=["GET"])
def search() -> Response | str:
    limits = request_limits()
    question = clean_question(request.args.get("q", ""))
    top_k = _top_k(limits)
    context = {"question": question, "top_k": top_k, "examples": EXAMPLES,
               "top_k_choices": sorted({*TOP_K_CHOICES, top_k}), "result": None, "error": None,
               "max_chars": limits.max_question_chars}
    if not question:
        return render_template("index.html", **context)
    try:
        ask_request = parse_ask({"question": question, "top_k": top_k}, limits)
    except InvalidQuestionError as exc:
        if exc.code == "invalid_question":
            context["question"] = ""  # not printable back
        context["error"] = _MESSAGES.get(exc.code, "这个问题无法处理，请换个问法。").format(
            n=limits.max_question_chars)
        return Response(render_template("index.html", **context), status=400)
    answer = service_holder().get().answer(ask_request)
    cited = answer.answer.passage_id if answer.answer else None
    mark = _answer_mark(answer)
    context["result"] = {
        "abstained": answer.abstained or answer.answer is None,
        "answer": _answer_view(answer),
        "hits": [_hit_view(h, answer.highlights, mark if h.passage.passage_id == cited else None)
                 for h in answer.hits],
        "took_ms": answer.took_ms,
        "parts": [{"label": p.label, "answer": _span_view(p.answer, answer.hits)} for p in answer.parts],
        "rewrites": list(getattr(answer.analysis, "rewrites", ()) or ()),
    }
    return render_template("index.html", **context)


def _mark_param() -> list[tuple[int, int]]:
    """The ``mark=start-end`` query parameter (a span inside the highlighted passage)."""
    match = _RANGE.fullmatch(request.args.get("mark", "").strip())
    if not match:
        return []
    start, end = int(match.group(1)), int(match.group(2))
    return [(start, end)] if start < end else []


def _section_path(section: str) -> list[str]:
    return [part.strip() for part in section.split("›") if part.strip()]


def document_blocks(passages, highlighted: str, mark: list[tuple[int, int]] | None = None) -> list[dict]:
    """The source view's blocks in order: article breaks, section headings and passages.

    A paragraph whose text is the heading of the passages after it is shown as that heading
    (keeping its anchor), so headings are not printed twice.
    """
    blocks: list[dict] = []
    path: list[str] = []
    article = passages[0].article if passages else 1
    for i, p in enumerate(passages):
        if p.article != article:
            article = p.article
            blocks.append({"kind": "article", "article": article})
        own = _section_path(p.section)
        following = _section_path(passages[i + 1].section) if i + 1 < len(passages) else []
        is_heading = bool(following) and following[-1] == p.text.strip() and own != following
        if not is_heading and own != path:
            common = next((n for n, (a, b) in enumerate(zip(own, path)) if a != b), min(len(own), len(path)))
            blocks += [{"kind": "section", "text": t, "level": n + 1}
                       for n, t in enumerate(own) if n >= common]
        path = following if is_heading else own
        highlighted_here = p.passage_id == highlighted
        blocks.append({
            "kind": "heading" if is_heading else "passage",
            "level": len(following) if is_heading else 0,
            "passage": p,
            "html": mark_text(p.text, (mark or ()) if highlighted_here else ()),
            "highlighted": highlighted_here,
            "label": paragraph_label(p),
        })
    return blocks


@pages.route("/docs/<path:doc_id>", methods=["GET"])
def document(doc_id: str) -> Response | str:
    service = service_holder().get()
    doc = service.documents.get(doc_id)
    if doc is None:
        return html_error(404, "文档不存在", "没有找到这篇文档，它可能已被移除或链接有误。")
    passages = service.document_passages(doc_id)
    highlighted = request.args.get("hl", "")
    return render_template("document.html", doc=doc, meta=doc.meta, count=len(passages),
                           blocks=document_blocks(passages, highlighted, _mark_param()),
                           highlighted=highlighted)
