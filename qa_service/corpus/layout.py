"""Newspaper page layout → paragraphs (blocks), with the raw offset of every kept character.

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

from ..lexicon.cues import ARTICLE_START, BYLINE, BYLINE_LINE, CAPTION, ENUMERATION, HEADING_1, HEADING_2, LEAD, PAGE_JUMP
from .sentences import ends_sentence, has_sentence_end


@dataclass(frozen=True)
class Line:
    """One raw line's kept text and its position."""

    start: int  # offsets of the kept text in the raw file
    end: int
    text: str
    gap_before: int  # blank lines between this line and the previous kept line
    caption_before: bool  # a photo caption was dropped just before this line
    indented: bool = False  # starts with full-width (or two-space) indentation: a new paragraph


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


def is_caption(text: str) -> bool:
    return len(text) <= 60 and bool(CAPTION.search(text))


def is_byline(text: str) -> bool:
    """本报记者 崔圣驰 张靓 高强 / 本版撰稿：本报记者 崔维利 / ——记者 李明 / （执笔：周晓燕） —
    kept as a passage of its own (and read into the document's bylines)."""
    return bool(BYLINE.match(text) or BYLINE_LINE.match(text)) and len(text) <= 40


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
        head = PAGE_JUMP.match(seg)
        tail = None if head else re.search(PAGE_JUMP.pattern + r"$", seg)
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
        kept.append(Line(start, end, text, gap, caption, line.startswith(("\u3000", "  ", "\t"))))
        gap, caption = 0, False
    return kept


def _is_marked(text: str) -> bool:
    return bool(HEADING_1.match(text) or HEADING_2.match(text) or LEAD.match(text))


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
    if ARTICLE_START.match(line.text) or prev_heading or line_heading:
        return True
    if line.indented and not prev.indented or line.indented and ends_sentence(prev.text):
        return True  # print indents a paragraph's first line; a wrapped line is never indented
    if not layout.double_spaced and line.gap_before and _is_marked(line.text):
        return True  # a heading after a blank line, even when the line before ends in "："
    if (not layout.double_spaced and line.gap_before and not line.caption_before
            and prev_width <= 0.6 * prev_local and not prev.text.endswith(("，", ",", "、"))):
        return True  # a short line, then a blank line: a headline or date line, not a column break
    if not ends_sentence(prev.text):
        return False  # a wrapped line, a column break or a caption in mid-sentence
    if layout.long_lines:
        return True
    if not layout.double_spaced and line.gap_before and not line.caption_before:
        return True
    if ENUMERATION.match(line.text):
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



def layout_text(raw: str, start: int, end: int) -> str:
    """The raw slice with line breaks and the layout noise the cleaner drops removed."""
    layout = detect_layout(raw)
    return "".join(raw[max(ln.start, start):min(ln.end, end)]
                   for ln in clean_lines(raw, layout) if ln.end > start and ln.start < end)
