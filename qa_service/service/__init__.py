"""The service: one loaded index and model answering validated requests."""
from .core import QAService, ensure_index, limits, make_embedder
from .requests import AskRequest, Limits, parse_ask
from .serialize import answer_to_dict, passage_to_dict

__all__ = ["AskRequest", "Limits", "QAService", "answer_to_dict", "ensure_index", "limits", "make_embedder",
           "parse_ask", "passage_to_dict"]
