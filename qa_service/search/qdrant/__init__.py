"""The Qdrant store: dense vector, BM25 sparse vector and payload in one collection."""
from .collection import QdrantCollection
from .views import QdrantDense, QdrantSparse, open_views

__all__ = ["QdrantCollection", "QdrantDense", "QdrantSparse", "open_views"]
