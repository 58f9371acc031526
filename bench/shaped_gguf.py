"""BERT-family models written as GGUF with random weights: tiny ones for the tests, and ones of a
real model's shape (bge-reranker-v2-m3's: 24 layers, 1,024 wide) for measuring what llama.cpp's
arithmetic costs on this machine. They compute like the real model and mean nothing.

As an embedding model the metadata names mean pooling; as a reranker the model has a
classification head (the `cls` tensors llama.cpp's converters write for bge-reranker) and names
rank pooling. The vocabulary is eight words, each one token."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta")


@dataclass(frozen=True)
class Shape:
    layers: int = 1
    width: int = 16
    heads: int = 2
    feed_forward: int = 32
    context: int = 16


TINY = Shape()
# XLM-RoBERTa large, the encoder of bge-reranker-v2-m3 and bge-m3.
BGE_RERANKER_V2_M3 = Shape(layers=24, width=1024, heads=16, feed_forward=4096, context=8192)
# XLM-RoBERTa base, the encoder of bge-reranker-base.
BGE_RERANKER_BASE = Shape(layers=12, width=768, heads=12, feed_forward=3072, context=512)


def write_bert(
    path: Path,
    shape: Shape = TINY,
    *,
    seed: int = 0,
    rank_head: bool = False,
    q8_0: bool = False,
) -> Path:
    """`q8_0`: the layers' matrices quantized as in a Q8_0 file (the others stay float32)."""
    import gguf  # the writer of llama.cpp's own converters (dev dependency)

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
    # llama.cpp's word-piece tokenizer marks a word's first piece with U+2581.
    tokens = specials + [f"\u2581{word}" for word in WORDS]
    writer = gguf.GGUFWriter(str(path), "bert")
    writer.add_name("shaped-bert")
    writer.add_context_length(shape.context)
    writer.add_embedding_length(shape.width)
    writer.add_block_count(shape.layers)
    writer.add_feed_forward_length(shape.feed_forward)
    writer.add_head_count(shape.heads)
    writer.add_layer_norm_eps(1e-12)
    writer.add_causal_attention(False)
    writer.add_pooling_type(gguf.PoolingType.RANK if rank_head else gguf.PoolingType.MEAN)
    writer.add_file_type(7 if q8_0 else 0)
    writer.add_tokenizer_model("bert")
    writer.add_token_list(tokens)
    writer.add_token_types(
        [gguf.TokenType.CONTROL] * len(specials) + [gguf.TokenType.NORMAL] * len(WORDS)
    )
    writer.add_token_type_count(2)
    writer.add_pad_token_id(0)
    writer.add_unk_token_id(1)
    writer.add_bos_token_id(2)
    writer.add_sep_token_id(3)
    writer.add_eos_token_id(3)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(True)

    random = np.random.default_rng(seed)
    width, feed = shape.width, shape.feed_forward

    def weights(name: str, *size: int, matrix: bool = False) -> None:
        values = (random.normal(size=size) * 0.5 / np.sqrt(size[-1] / 16)).astype(np.float32)
        if matrix and q8_0:
            kind = gguf.GGMLQuantizationType.Q8_0
            writer.add_tensor(name, gguf.quants.quantize(values, kind), raw_dtype=kind)
        else:
            writer.add_tensor(name, values)

    def constant(name: str, size: int, value: float) -> None:
        writer.add_tensor(name, np.full(size, value, np.float32))

    weights("token_embd.weight", len(tokens), width)
    weights("token_types.weight", 2, width)
    weights("position_embd.weight", shape.context, width)
    constant("token_embd_norm.weight", width, 1.0)
    constant("token_embd_norm.bias", width, 0.0)
    for layer in range(shape.layers):
        block = f"blk.{layer}"
        for part in ("attn_q", "attn_k", "attn_v", "attn_output"):
            weights(f"{block}.{part}.weight", width, width, matrix=True)
            constant(f"{block}.{part}.bias", width, 0.0)
        constant(f"{block}.attn_output_norm.weight", width, 1.0)
        constant(f"{block}.attn_output_norm.bias", width, 0.0)
        weights(f"{block}.ffn_up.weight", feed, width, matrix=True)
        constant(f"{block}.ffn_up.bias", feed, 0.0)
        weights(f"{block}.ffn_down.weight", width, feed, matrix=True)
        constant(f"{block}.ffn_down.bias", width, 0.0)
        constant(f"{block}.layer_output_norm.weight", width, 1.0)
        constant(f"{block}.layer_output_norm.bias", width, 0.0)
    if rank_head:
        weights("cls.weight", width, width)
        constant("cls.bias", width, 0.0)
        weights("cls.output.weight", 1, width)
        constant("cls.output.bias", 1, 0.0)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
