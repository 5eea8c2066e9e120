"""What text extraction returns for one source file, and how text bytes are decoded."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import DocumentSkippedError

# Encodings tried when a file is not UTF-8: the ones Chinese text files are written in.
CHINESE_ENCODINGS = ("gb18030", "big5", "utf_16", "utf_32")


@dataclass(frozen=True)
class Extracted:
    """A document's text as the service reads it, plus what the format itself says."""

    text: str
    format: str  # txt | md | html | docx | pdf
    encoding: str = "utf-8"
    title_hint: str = ""  # <h1>/<title>, a DOCX Title paragraph, a Markdown "# " heading
    date_hint: str = ""  # ISO date from <time datetime> or an article:published_time meta tag


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode a plain text file: UTF-8 (BOM stripped) first, else the best Chinese encoding.

    Raises:
        DocumentSkippedError: binary data or no encoding decodes it to sensible text.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DocumentSkippedError(f"{name}: unreadable: damaged UTF-16 text ({exc.reason})") from exc
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise DocumentSkippedError(f"{name}: unreadable: binary data, not a text file")
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(CHINESE_ENCODINGS)).best()
    if best is None or best.chaos > 0.3:
        raise DocumentSkippedError(f"{name}: unreadable: not UTF-8 and no common Chinese encoding "
                                   "(GB18030/GBK, Big5, UTF-16) decodes it; save it as UTF-8")
    # GB18030 is a superset of GBK and GB2312: decode with it whatever subset was detected.
    encoding = "gb18030" if best.encoding in ("gb2312", "gbk", "gb18030") else best.encoding
    return data.decode(encoding), best.encoding
