"""Dense vector stores behind one protocol; FAISS is the embedded default."""
from .base import DenseConfig, DenseStore
from .factory import backend_names, build_dense_store, load_dense_store

__all__ = ["DenseConfig", "DenseStore", "backend_names", "build_dense_store", "load_dense_store"]
