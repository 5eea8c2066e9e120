"""What text extraction returns for one source file."""
from __future__ import annotations

from dataclasses import dataclass


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
