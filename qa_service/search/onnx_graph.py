"""Edits of an exported transformer graph: onnxruntime's transformer fusions, and the word-embedding
table kept in float16. Used by ``onnx_export`` only (needs the ``onnx`` package)."""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

OPTIMIZER_OPT_LEVEL = 1  # onnxruntime's basic, hardware-independent rewrites before the fusions
FUSABLE = {"bert": "bert", "xlm-roberta": "bert", "roberta": "bert", "camembert": "bert",
           "distilbert": "bert", "electra": "bert", "mpnet": "bert"}


def optimise(source: Path, *, model_type: str, num_heads: int, hidden_size: int):
    """Apply the BERT fusions (attention, gelu, skip layer-norm …) when the architecture has them.

    The embedding layer is deliberately not fused (EmbedLayerNormalization would swallow the
    word-embedding Gather that ``half_word_embeddings`` narrows). Returns the ``onnx.ModelProto``
    and a summary for the export marker.
    """
    import onnx

    family = FUSABLE.get(model_type)
    if family is None:
        logger.info("no onnxruntime fusions for model type %r: exported graph used as it is", model_type)
        return onnx.load(str(source)), {"fusions": None, "optimizer_opt_level": 0, "fused_operators": {}}
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    options = FusionOptions(family)
    options.enable_embed_layer_norm = False
    optimised = optimize_model(str(source), model_type=family, num_heads=num_heads, hidden_size=hidden_size,
                               optimization_options=options, opt_level=OPTIMIZER_OPT_LEVEL)
    fused = {k: int(v) for k, v in optimised.get_fused_operator_statistics().items() if v}
    return optimised.model, {"fusions": family, "optimizer_opt_level": OPTIMIZER_OPT_LEVEL,
                             "fused_operators": fused}


def half_word_embeddings(model, *, min_rows: int = 10_000) -> str | None:
    """Store the word-embedding table (the largest tensor) in float16, cast back to float32 right
    after the Gather: only the looked-up rows are widened. Returns the table's name, or None when
    no Gather reads a large 2-D float32 table used nowhere else."""
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    initializers = {init.name: init for init in graph.initializer}
    uses: dict[str, int] = {}
    for node in graph.node:
        for name in node.input:
            uses[name] = uses.get(name, 0) + 1
    for position, node in enumerate(graph.node):
        if node.op_type != "Gather" or node.input[0] not in initializers:
            continue
        table = initializers[node.input[0]]
        if (len(table.dims) != 2 or table.dims[0] < min_rows or table.data_type != TensorProto.FLOAT
                or uses[table.name] != 1):
            continue
        half = numpy_helper.from_array(numpy_helper.to_array(table).astype(np.float16), f"{table.name}_fp16")
        graph.initializer.remove(table)
        graph.initializer.append(half)
        output = node.output[0]
        node.input[0] = half.name
        node.output[0] = f"{output}_fp16"
        graph.node.insert(position + 1, helper.make_node("Cast", [node.output[0]], [output],
                                                         to=TensorProto.FLOAT, name=f"{node.name}_to_fp32"))
        return table.name
    return None


def widen_word_embeddings(model) -> None:
    """Undo ``half_word_embeddings``: the table back in float32 (the Cast becomes a no-op)."""
    from onnx import TensorProto, numpy_helper

    for init in list(model.graph.initializer):
        if init.data_type == TensorProto.FLOAT16 and init.name.endswith("_fp16"):
            wide = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float32), init.name)
            model.graph.initializer.remove(init)
            model.graph.initializer.append(wide)
