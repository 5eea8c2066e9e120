"""Question answering: analysis, retrieval, re-ranking, answer and span selection."""
from .analysis import QueryAnalysis, analyse
from .pipeline import DEFAULT_MODE, MODES, Answerer, Result

__all__ = ["DEFAULT_MODE", "MODES", "Answerer", "QueryAnalysis", "Result", "analyse"]
