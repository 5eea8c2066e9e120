"""The ONNX export and its runtime: faithful to sentence-transformers, torch-free when serving.

The export itself is made once by ``qa-service prepare-model`` (or on first use) into the
service's cache; these tests use it and check it, they do not re-export.
"""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from support import CORPUS, ROOT, make_settings

from qa_service.config import DEFAULT_MODEL
from qa_service.errors import ConfigError, ModelError
from qa_service.search import embedding, files, onnx_files
from qa_service.search.model_location import export_dir
from qa_service.search.onnx_encoder import OnnxEmbedder, pool
from qa_service.search.onnx_export import CHECK_TEXTS, MIN_COSINE, ExportImpossible, _pipeline

GOLD = ROOT / "eval" / "gold.jsonl"


@pytest.fixture(scope="session")
def cache_dir():
    from support import real_settings

    return real_settings().cache_dir


@pytest.fixture(scope="session")
def marker(cache_dir):
    return embedding.ensure_export(DEFAULT_MODEL, cache_dir=cache_dir)


@pytest.fixture(scope="session")
def onnx_embedder(cache_dir, marker) -> OnnxEmbedder:
    return OnnxEmbedder(export_dir(DEFAULT_MODEL, cache_dir=cache_dir), model_id=DEFAULT_MODEL, marker=marker)


@pytest.fixture(scope="session")
def torch_embedder(cache_dir):
    return embedding.SentenceTransformerEmbedder(DEFAULT_MODEL, cache_dir=cache_dir)


def test_pool_is_a_masked_mean_then_unit_length():
    hidden = np.array([[[1.0, 0.0], [3.0, 4.0], [100.0, 100.0]]], dtype=np.float32)  # last = padding
    mask = np.array([[1, 1, 0]])
    np.testing.assert_allclose(pool(hidden, mask, "mean"), [[2 / np.hypot(2, 2), 2 / np.hypot(2, 2)]], rtol=1e-6)
    np.testing.assert_allclose(pool(hidden, mask, "cls"), [[1.0, 0.0]])


def test_export_marker_records_how_it_was_made(cache_dir, marker):
    assert marker["status"] == onnx_files.READY and marker["opset"] == 17
    assert marker["optimization"]["fusions"] == "bert"
    assert marker["optimization"]["fused_operators"]["Attention"] == 12  # one per layer
    assert marker["word_embeddings"] == "float16"
    assert marker["fidelity"]["min_cosine"] >= MIN_COSINE
    directory = export_dir(DEFAULT_MODEL, cache_dir=cache_dir)
    assert set(marker["files"]) == {onnx_files.MODEL_FILE, onnx_files.DATA_FILE, onnx_files.TOKENIZER_FILE,
                                    "tokenizer.trimmed.json", "tokenizer.trimmed.ids.npy"}
    assert marker["vocabulary"]["kind"] == "script-trimmed"
    assert onnx_files.verify_checksums(directory, marker) == []


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["queries", "passages"])
def test_onnx_agrees_with_sentence_transformers(onnx_embedder, torch_embedder, passages, kind):
    if kind == "queries":
        texts = [json.loads(line)["question"] for line in GOLD.read_text(encoding="utf-8").splitlines()[:60]]
    else:
        texts = [p.text for p in passages[::8]] + [CHECK_TEXTS[-1]]  # the last one is truncated

    def encode(embedder, texts):
        # the 512-token text alone: in one batch it would pad all 26 passages to 512 tokens
        method = getattr(embedder, f"encode_{kind}")
        return np.vstack([method(texts[:-1]), method(texts[-1:])])

    ours = encode(onnx_embedder, texts)
    reference = encode(torch_embedder, texts)
    assert ours.dtype == np.float32 and ours.shape == reference.shape == (len(texts), 384)
    assert np.sum(ours * reference, axis=1).min() >= MIN_COSINE


@pytest.mark.slow
def test_sentence_transformers_loads_the_converted_tokenizer_as_it_is(torch_embedder):
    # tokenizer_config.json names the generic fast class: it keeps tokenizer.json's normaliser
    # and pre-tokenizer (XLMRobertaTokenizer would rebuild them), which the export depends on.
    tokenizer = torch_embedder._model.tokenizer
    assert type(tokenizer).__name__ in {"PreTrainedTokenizerFast", "TokenizersBackend", "XLMRobertaTokenizerFast"}
    assert tokenizer.backend_tokenizer.normalizer.normalize_str("（，：；！？）") == "(,:;!?)"


def test_sentence_transformers_load_failure_is_a_model_error(tmp_path):
    (tmp_path / "empty-model").mkdir()
    with pytest.raises(ModelError):
        embedding.SentenceTransformerEmbedder(str(tmp_path / "empty-model"), cache_dir=tmp_path)


@pytest.mark.slow
def test_padding_does_not_change_an_embedding(onnx_embedder):
    texts = ["四平", CHECK_TEXTS[3], CHECK_TEXTS[-1]]  # 3 tokens to 512: two of them padded in the batch
    together = onnx_embedder.encode_passages(texts)
    alone = np.vstack([onnx_embedder.encode_passages([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    assert onnx_embedder.encode_queries([]).shape == (0, 384)
    with pytest.raises(TypeError):
        onnx_embedder.encode_queries("one string")


@pytest.mark.slow
def test_serving_never_imports_torch(tmp_path, marker):
    """A fresh process builds a small index, loads the service and answers, all without torch."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # the head of a real document (title, date, the GDP paragraph): a few seconds less to embed
    head = (CORPUS / "000_d035c923f93be10b.txt").read_text(encoding="utf-8").splitlines(keepends=True)[:60]
    (corpus / "000_head.txt").write_text("".join(head), encoding="utf-8")
    script = f"""
import sys
sys.path.insert(0, {str(ROOT / 'tests')!r})
from pathlib import Path
from support import make_settings, real_settings
from qa_service.service import QAService
settings = make_settings(Path({str(tmp_path)!r}), corpus_dir=Path({str(corpus)!r}),
                         cache_dir=real_settings().cache_dir)
service = QAService.load(settings, build_if_missing=True)
answer = service.ask("2024年前三季度GDP是多少")
heavy = sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules)
print(answer.answer.span if answer.answer else None, service.manifest["encoder"]["runtime"], heavy)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["451.83亿元", "onnxruntime", "[]"], done.stdout


def test_refused_export_falls_back_to_sentence_transformers(tmp_path, monkeypatch, caplog):
    model_dir = tmp_path / "some-model"
    model_dir.mkdir()
    target = export_dir(str(model_dir), cache_dir=tmp_path / "cache")
    fingerprint = embedding.source_fingerprint(str(model_dir), str(model_dir.resolve()))
    onnx_files.write_atomically(target, lambda d: files.write_json(d / onnx_files.MARKER, {
        "format_version": onnx_files.FORMAT_VERSION, "status": onnx_files.REFUSED, "source": fingerprint,
        "reason": "unsupported pooling ['max']"}))
    made = []
    monkeypatch.setattr(embedding, "SentenceTransformerEmbedder", lambda *a, **k: made.append(a) or "torch")
    assert embedding.load_embedder(str(model_dir), cache_dir=tmp_path / "cache") == "torch"
    assert made and "unsupported pooling" in caplog.text and "sentence-transformers" in caplog.text


def test_export_dirs_never_go_into_a_users_model_directory(tmp_path):
    assert export_dir(DEFAULT_MODEL, cache_dir=tmp_path) == tmp_path / "multilingual-e5-small" / "onnx"
    other = export_dir(str(tmp_path / "my-model"), cache_dir=tmp_path / "cache")
    assert other.parent == tmp_path / "cache" / "onnx" and not str(other).startswith(str(tmp_path / "my-model"))
    assert export_dir("BAAI/bge-m3", cache_dir=tmp_path) != export_dir("BAAI_bge-m3", cache_dir=tmp_path)


def test_unsupported_pipelines_are_refused():
    class Module:
        def __init__(self, config=None):
            self.config = config or {}

        def get_config_dict(self):
            return self.config

    class Transformer(Module):
        do_lower_case = False

    class Pooling(Module):
        pass

    class Dense(Module):
        pass

    class Model(list):
        max_seq_length = 256

    assert _pipeline(Model([Transformer(), Pooling({"pooling_mode": "mean"})])) == ("mean", 256, False)
    assert _pipeline(Model([Transformer(), Pooling({"pooling_mode_cls_token": True})]))[0] == "cls"
    for model in (Model([Transformer(), Pooling({"pooling_mode": "max"})]),
                  Model([Transformer(), Pooling({"pooling_mode": "mean"}), Dense()]),
                  Model([Transformer(), Pooling({"pooling_mode": "mean", "include_prompt": False})])):
        with pytest.raises(ExportImpossible):
            _pipeline(model)


def test_interrupted_write_leaves_nothing(tmp_path):
    def fail(directory):
        (directory / "model.onnx").write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        onnx_files.write_atomically(tmp_path / "onnx", fail)
    assert list(tmp_path.iterdir()) == []


def test_damaged_export_is_not_used(tmp_path):
    onnx_files.write_atomically(tmp_path / "onnx", lambda d: (
        (d / "model.onnx").write_bytes(b"x" * 10),
        files.write_json(d / onnx_files.MARKER, {"format_version": onnx_files.FORMAT_VERSION,
                                                       "status": "ready", "files": {"model.onnx": {"bytes": 10}}})))
    assert onnx_files.read_marker(tmp_path / "onnx") is not None
    (tmp_path / "onnx" / "model.onnx").write_bytes(b"x" * 5)  # truncated
    assert onnx_files.read_marker(tmp_path / "onnx") is None
    with pytest.raises(ModelError, match="prepare-model"):
        OnnxEmbedder(tmp_path / "onnx", model_id="x")


def test_encoder_settings_are_checked(tmp_path):
    assert make_settings(tmp_path).encoder_runtime == "onnx"
    with pytest.raises(ConfigError):
        make_settings(tmp_path, encoder_runtime="tensorflow")
    with pytest.raises(ConfigError):
        make_settings(tmp_path, encoder_threads=-1)


def test_an_exporter_crash_is_recorded_as_a_refusal(tmp_path, monkeypatch):
    from qa_service.search import onnx_export

    model_dir = tmp_path / "odd-model"
    model_dir.mkdir()

    def crash(*args):
        raise RuntimeError("Unsupported: ONNX export of operator foo")

    monkeypatch.setattr(onnx_export, "_export_into", crash)
    with pytest.raises(ExportImpossible, match="operator foo"):
        onnx_export.export_model(str(model_dir), cache_dir=tmp_path / "cache")
    marker = onnx_files.read_marker(export_dir(str(model_dir), cache_dir=tmp_path / "cache"))
    assert marker["status"] == onnx_files.REFUSED and "operator foo" in marker["reason"]
    assert embedding.ensure_export(str(model_dir), cache_dir=tmp_path / "cache") == marker  # no retry
