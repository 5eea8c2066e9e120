"""Source files → plain text: which formats are read, and how plain text files are decoded.

Every document is turned into one *extracted text*; passages keep offsets into that text, so a
citation can be checked against it (for UTF-8 ``.txt`` files it is the file itself with line
breaks normalised to ``\\n``). Plain text (``.txt``, ``.md``) may be in any common Chinese
encoding (UTF-8 with or without BOM, GB18030/GBK/GB2312, Big5, UTF-16); HTML, DOCX and PDF are
handled in ``markup.py``. A file that cannot be used raises ``DocumentSkippedError`` with a
reason a user can act on; the loader reports it and carries on.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import DocumentSkippedError
from . import markup
from .extracted import Extracted, decode_text, normalise_newlines

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES, ".docx", ".pdf")


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)\s*#*\s*$")
_MD_INLINE = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images: no text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links: their text
    (re.compile(r"(\*\*|__|`)"), ""),  # bold and code marks
    (re.compile(r"^\s{0,3}(?:>\s?|[-*+]\s+)"), ""),  # quotes and bullets
)


def markdown_to_text(source: str) -> tuple[str, str]:
    """Markdown → plain text lines (headings keep their words); returns (text, first heading)."""
    lines, title = [], ""
    for line in source.split("\n"):
        heading = _MD_HEADING.match(line)
        if heading:
            line = heading.group(1)
            title = title or line
        for pattern, repl in _MD_INLINE:
            line = pattern.sub(repl, line)
        lines.append(line)
    return "\n".join(lines), title


def extract(path: Path, *, name: str | None = None) -> Extracted:
    """The text of one corpus file, by its extension (any case).

    Raises:
        DocumentSkippedError: unsupported format, unreadable or damaged file, or no text in it.
    """
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kind = suffix or "no extension"
        raise DocumentSkippedError(f"{name}: unsupported format ({kind}); supported: "
                                   + ", ".join(s.lstrip(".") for s in SUPPORTED_SUFFIXES))
    # A file the system refuses to read (permission, I/O) is the operator's to fix, not a document
    # to skip: the OSError reaches the command, which names the path and the fix (exit 2).
    data = path.read_bytes()
    if suffix in TEXT_SUFFIXES:
        text, encoding = decode_text(data, name)
        text = normalise_newlines(text)
        if suffix == ".txt" or suffix == ".text":
            result = Extracted(text, "txt", encoding)
        else:
            body, title = markdown_to_text(text)
            result = Extracted(body, "md", encoding, title_hint=title)
    else:
        reader = {".docx": markup.read_docx, ".pdf": markup.read_pdf}.get(suffix, markup.read_html)
        result = reader(data, name)
    if not result.text.strip():
        raise DocumentSkippedError(f"{name}: unreadable: no text in it (a scan or an empty file?)")
    return result
