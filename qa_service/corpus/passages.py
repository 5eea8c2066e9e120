"""Rebuilt paragraphs → passages: section headings, article numbers, sentence-aligned parts,
and ``[start, end)`` offsets into the raw file for every passage."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexicon.cues import ARTICLE_START, ENUMERATION, HEADING_1, HEADING_2, LEAD
from ..lexicon.patterns import SENTENCE
from ..types import Document, Passage
from .layout import Block, is_byline, reflow_blocks
from .sentences import ends_sentence, has_sentence_end, split_paragraph, split_sentences


@dataclass(frozen=True)
class _Heading:
    level: int  # 1 top, 2 sub, 3 paragraph-only lead
    text: str


def _classify(block: Block) -> tuple[_Heading | None, int]:
    """Split a leading heading off a block: (heading or None, index where the body starts)."""
    text = block.text
    if is_byline(text):
        return None, 0
    for level, pattern in ((1, HEADING_1), (2, HEADING_2), (3, LEAD)):
        if pattern.match(text):
            m = SENTENCE.match(text)
            end = m.end() if m and has_sentence_end(m.group(0)) else len(text)
            return _Heading(level, text[:end]), end
    if not has_sentence_end(text) and not text.rstrip().endswith(("：", ":")):
        return _Heading(1, text), len(text)
    return None, 0


def _is_lead(text: str) -> bool:
    """A one-sentence bold lead (稳中求进固根基，乡村振兴步伐持续提速。) that titles what follows."""
    text = text.strip()
    return (len(text) <= 24 and len(split_sentences(text)) == 1 and ends_sentence(text)
            and not re.search(r"\d", text) and not ENUMERATION.match(text))


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
        if ARTICLE_START.match(block.text) and seen_body:
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
                           and not _is_lead(next_block) and not ENUMERATION.match(next_block))
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


