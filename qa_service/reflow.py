"""Newspaper page layout → paragraphs → passages, with offsets into the raw file.

The source files are page dumps: lines are hard-wrapped every ~15–45 characters (also
mid-number), some files put a blank line after every line, photo captions and page-jump markers
sit in the text flow, and headline blocks trail at the end. Paragraphs are rebuilt from line
width, sentence-final punctuation, headings and article starts — never by splitting on blank
lines alone. Every passage keeps ``[start, end)`` offsets into the raw text such that the raw
slice, with line breaks and the noise removed here dropped, equals the passage text.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .types import Document, Passage

SENTENCE_END = "。！？!?"
CLOSERS = "”’」』）)》\"'"
CLAUSE_END = "；;"

_CAPTION = re.compile(r"(?:摄|航拍)$|^（资料图片）|[。.]\s*(?:[\u4e00-\u9fff]{2,4}\s*)+(?:摄|航拍)+$")
_BYLINE = re.compile(r"^(?:本版撰稿[:：]|本报记者\s|(?:本报)?通讯员\s)")
_PAGE_JUMP = re.compile(r"[（(][上下][接转][一二三四五六七八九十\d]+版[）)]")
_HEADING_1 = re.compile(r"^[一二三四五六七八九十]{1,3}、")
_HEADING_2 = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")
_LEAD = re.compile(r"^——")
_ARTICLE_START = re.compile(r"^本报讯")
_ENUMERATION = re.compile(r"^[一二三四五六七八九十]{1,3}(?:要|是|方面)")
_SENTENCE = re.compile(rf"[^{SENTENCE_END}]*[{SENTENCE_END}]+[{re.escape(CLOSERS)}]*|[^{SENTENCE_END}]+$")


@dataclass(frozen=True)
class Line:
    """One raw line's kept text and its position."""

    start: int  # offsets of the kept text in the raw file
    end: int
    text: str
    gap_before: int  # blank lines between this line and the previous kept line
    caption_before: bool  # a photo caption was dropped just before this line


@dataclass(frozen=True)
class Layout:
    long_lines: bool  # one paragraph per line (column breaks aside)
    double_spaced: bool  # a blank line after every line: blank lines carry no meaning


@dataclass(frozen=True)
class Block:
    """A rebuilt paragraph: its text and the raw offset of every character."""

    text: str
    offsets: tuple[int, ...]


def display_width(text: str) -> int:
    """Columns a line takes in print: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def ends_sentence(text: str) -> bool:
    stripped = text.rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


def has_sentence_end(text: str) -> bool:
    return any(ch in SENTENCE_END for ch in text)


def is_caption(text: str) -> bool:
    return len(text) <= 60 and bool(_CAPTION.search(text))


def is_byline(text: str) -> bool:
    """本报记者 崔圣驰 张靓 高强 / 本版撰稿：本报记者 崔维利 — kept as a passage of its own."""
    return bool(_BYLINE.match(text)) and len(text) <= 40


def is_noise_line(text: str, layout: Layout) -> bool:
    """Photo captions and (in one-line-per-paragraph files) bare photo labels."""
    if is_caption(text):
        return True
    # Photo labels such as 举手表决 / 分组讨论 stand alone between blank lines.
    return layout.long_lines and len(text) <= 5 and not re.search(r"[，。、；：！？,.;:!?]", text)


def _raw_lines(raw: str):
    pos = 0
    for piece in raw.splitlines(keepends=True):
        yield pos, piece.rstrip("\r\n")
        pos += len(piece)


def _trim(text: str, start: int) -> tuple[int, int]:
    """Offsets of ``text`` without page-jump markers at its ends and surrounding whitespace."""
    lo, hi = 0, len(text)
    while True:
        seg = text[lo:hi]
        stripped = seg.strip()
        if not stripped:
            return start + lo, start + lo
        lo += len(seg) - len(seg.lstrip())
        hi -= len(seg) - len(seg.rstrip())
        seg = text[lo:hi]
        head = _PAGE_JUMP.match(seg)
        tail = None if head else re.search(_PAGE_JUMP.pattern + r"$", seg)
        if head:
            lo += head.end()
        elif tail:
            hi -= len(seg) - tail.start()
        else:
            return start + lo, start + hi


def detect_layout(raw: str) -> Layout:
    lines = raw.splitlines()
    content = [ln.strip() for ln in lines if ln.strip()]
    if not content:
        return Layout(False, False)
    long_lines = sum(len(ln) >= 60 for ln in content) / len(content) > 0.3
    followed_by_single_blank = sum(
        1 for i in range(len(lines) - 2)
        if lines[i].strip() and not lines[i + 1].strip() and lines[i + 2].strip()
    )
    return Layout(long_lines, followed_by_single_blank / len(content) > 0.6)


def clean_lines(raw: str, layout: Layout) -> list[Line]:
    """Kept lines of a raw file: blank lines, captions, bylines and page jumps removed."""
    kept: list[Line] = []
    gap, caption = 0, False
    for pos, line in _raw_lines(raw):
        start, end = _trim(line, pos)
        text = raw[start:end]
        if not text:
            gap += 1
            continue
        if is_noise_line(text, layout):
            caption = caption or is_caption(text)
            continue
        kept.append(Line(start, end, text, gap, caption))
        gap, caption = 0, False
    return kept


def _is_marked(text: str) -> bool:
    return bool(_HEADING_1.match(text) or _HEADING_2.match(text) or _LEAD.match(text))


def _is_heading_line(line: Line, next_line: Line | None, local_width: int, layout: Layout) -> bool:
    """A line that is a heading by itself (not the first line of a wrapped paragraph).

    Wrapped headings are set a little narrower than body text, so only a marked line well
    short of the local width counts; a longer one is the first line of a wrapped heading.
    A short line followed by a photo caption is a sentence the caption interrupted.
    """
    text = line.text
    if is_byline(text):
        return True
    if has_sentence_end(text) or text.endswith(("，", ",", "、")):
        return False
    if layout.long_lines:
        return len(text) <= 40 and not (next_line and next_line.caption_before)
    return _is_marked(text) and display_width(text) < 0.8 * local_width


def _local_widths(lines: list[Line], radius: int = 4) -> list[int]:
    widths = [display_width(ln.text) for ln in lines]
    return [max(widths[max(0, i - radius): i + radius + 1]) for i in range(len(widths))]


def _breaks_between(prev: Line, line: Line, prev_width: int, prev_local: int, layout: Layout,
                    prev_heading: bool, line_heading: bool) -> bool:
    if _ARTICLE_START.match(line.text) or prev_heading or line_heading:
        return True
    if not layout.double_spaced and line.gap_before and _is_marked(line.text):
        return True  # a heading after a blank line, even when the line before ends in "："
    if not ends_sentence(prev.text):
        return False  # a wrapped line, a column break or a caption in mid-sentence
    if layout.long_lines:
        return True
    if not layout.double_spaced and line.gap_before and not line.caption_before:
        return True
    if _ENUMERATION.match(line.text):
        return True  # 一要… / 二是… items start paragraphs
    # In double-spaced files only the line width tells: the last line of a paragraph is short.
    return layout.double_spaced and prev_width <= prev_local - 4


def reflow_blocks(raw: str) -> list[Block]:
    """Rebuild the paragraphs (including heading blocks) of one raw file, in order."""
    layout = detect_layout(raw)
    lines = clean_lines(raw, layout)
    if not lines:
        return []
    local = _local_widths(lines)
    widths = [display_width(ln.text) for ln in lines]
    heading = [_is_heading_line(ln, lines[i + 1] if i + 1 < len(lines) else None, local[i], layout)
               for i, ln in enumerate(lines)]
    blocks: list[Block] = []
    text_parts: list[str] = []
    offsets: list[int] = []
    for i, line in enumerate(lines):
        if text_parts and _breaks_between(lines[i - 1], line, widths[i - 1], local[i - 1], layout,
                                          heading[i - 1], heading[i]):
            blocks.append(Block("".join(text_parts), tuple(offsets)))
            text_parts, offsets = [], []
        text_parts.append(line.text)
        offsets.extend(range(line.start, line.end))
    blocks.append(Block("".join(text_parts), tuple(offsets)))
    return blocks


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, each ending with its punctuation (and closing quotes)."""
    return [m.group(0) for m in _SENTENCE.finditer(text) if m.group(0)]


def _split_long(sentence: str, limit: int) -> list[str]:
    """Cut a sentence longer than ``limit`` at clause boundaries (；, then ，)."""
    for marks in (CLAUSE_END, "，,、"):
        pieces = re.findall(rf"[^{marks}]*[{marks}]+|[^{marks}]+$", sentence)
        if all(len(p) <= limit for p in pieces) and len(pieces) > 1:
            return _pack(pieces, limit)
    return [sentence[i:i + limit] for i in range(0, len(sentence), limit)]


def _pack(units: list[str], limit: int) -> list[str]:
    """Greedy packing of consecutive units into parts of balanced length ≤ ``limit``."""
    total = sum(len(u) for u in units)
    n_parts = -(-total // limit)
    target = total / n_parts
    parts, current = [], ""
    for unit in units:
        if current and (len(current) + len(unit) > limit or len(current) >= target):
            parts.append(current)
            current = ""
        current += unit
    if current:
        parts.append(current)
    return parts


def split_paragraph(text: str, limit: int) -> list[str]:
    """Split at sentence boundaries into parts of at most ``limit`` characters."""
    if len(text) <= limit:
        return [text]
    units: list[str] = []
    for sentence in split_sentences(text):
        units.extend(_split_long(sentence, limit) if len(sentence) > limit else [sentence])
    return _pack(units, limit)


@dataclass(frozen=True)
class _Heading:
    level: int  # 1 top, 2 sub, 3 paragraph-only lead
    text: str


def _classify(block: Block) -> tuple[_Heading | None, int]:
    """Split a leading heading off a block: (heading or None, index where the body starts)."""
    text = block.text
    if is_byline(text):
        return None, 0
    for level, pattern in ((1, _HEADING_1), (2, _HEADING_2), (3, _LEAD)):
        if pattern.match(text):
            m = _SENTENCE.match(text)
            end = m.end() if m and has_sentence_end(m.group(0)) else len(text)
            return _Heading(level, text[:end]), end
    if not has_sentence_end(text) and not text.rstrip().endswith(("：", ":")):
        return _Heading(1, text), len(text)
    return None, 0


def _is_lead(text: str) -> bool:
    """A one-sentence bold lead (稳中求进固根基，乡村振兴步伐持续提速。) that titles what follows."""
    text = text.strip()
    return (len(text) <= 24 and len(split_sentences(text)) == 1 and ends_sentence(text)
            and not re.search(r"\d", text) and not _ENUMERATION.match(text))


def build_passages(doc: Document, *, max_chars: int = 360) -> list[Passage]:
    """Passages of one document: body paragraphs with section headings and raw offsets."""
    blocks = reflow_blocks(doc.raw)
    classified = [_classify(b) for b in blocks]
    bodies = [i for i, (h, start) in enumerate(classified) if start < len(blocks[i].text.rstrip())]
    last_body = bodies[-1] if bodies else -1
    h1 = h2 = ""
    previous_was_heading = False
    article, seen_body = 1, False
    paragraph = 0
    passages: list[Passage] = []
    for i, (block, (heading, body_start)) in enumerate(zip(blocks, classified)):
        if i > last_body:
            break  # trailing headline blocks and garbled caption duplicates
        if _ARTICLE_START.match(block.text) and seen_body:
            article += 1
            h1 = h2 = ""
        lead = ""
        if heading is not None and len(heading.text) <= 60:
            if heading.level == 1:
                h1 = f"{h1} {heading.text}" if previous_was_heading and h1 and not h2 else heading.text
                h2 = ""
            elif heading.level == 2:
                h2 = heading.text
            else:
                lead = heading.text
        body = block.text[body_start:]
        if not body.strip():
            previous_was_heading = heading is not None
            continue
        previous_was_heading = False
        seen_body = True
        next_block = blocks[i + 1].text if i + 1 < len(blocks) else ""
        becomes_section = (heading is None and _is_lead(body) and has_sentence_end(next_block)
                           and not _is_lead(next_block) and not _ENUMERATION.match(next_block))
        paragraph += 1
        section = " › ".join(s for s in (h1, h2, lead) if s)
        parts = split_paragraph(body, max_chars)
        cursor = body_start
        for n, part in enumerate(parts, start=1):
            lo = cursor + (len(part) - len(part.lstrip()))
            hi = cursor + len(part.rstrip())
            cursor += len(part)
            if hi <= lo:
                continue
            passages.append(Passage(
                passage_id=f"{doc.doc_id}:{paragraph}" + (f".{n}" if len(parts) > 1 else ""),
                doc_id=doc.doc_id,
                paragraph=paragraph,
                part=n if len(parts) > 1 else 0,
                section=section,
                title=doc.meta.title,
                date=doc.meta.date,
                text=block.text[lo:hi],
                start=block.offsets[lo],
                end=block.offsets[hi - 1] + 1,
                source_file=doc.path,
                article=article,
            ))
        if becomes_section:
            h2 = body.strip()
    return passages


def build_corpus_passages(documents: list[Document], *, max_chars: int = 360) -> list[Passage]:
    return [p for doc in documents for p in build_passages(doc, max_chars=max_chars)]


def layout_text(raw: str, start: int, end: int) -> str:
    """The raw slice with line breaks and the layout noise the cleaner drops removed."""
    layout = detect_layout(raw)
    return "".join(raw[max(ln.start, start):min(ln.end, end)]
                   for ln in clean_lines(raw, layout) if ln.end > start and ln.start < end)
