"""A tiny BERT embedding model written as GGUF by the tests: one layer, random weights, mean
pooling in its metadata and a short context, so llama.cpp runs it as a real (if meaningless)
embedding model and refuses texts longer than its context."""

from pathlib import Path

import numpy as np

WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta")
WIDTH, FEED_FORWARD = 16, 32


def write_tiny_bert(path: Path, *, context: int = 16, seed: int = 0) -> Path:
    import gguf  # the writer of llama.cpp's own converters (dev dependency)

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
    # llama.cpp's word-piece tokenizer marks a word's first piece with U+2581.
    tokens = specials + [f"\u2581{word}" for word in WORDS]
    writer = gguf.GGUFWriter(str(path), "bert")
    writer.add_name("tiny-bert")
    writer.add_context_length(context)
    writer.add_embedding_length(WIDTH)
    writer.add_block_count(1)
    writer.add_feed_forward_length(FEED_FORWARD)
    writer.add_head_count(2)
    writer.add_layer_norm_eps(1e-12)
    writer.add_causal_attention(False)
    writer.add_pooling_type(gguf.PoolingType.MEAN)
    writer.add_file_type(0)
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

    def weights(name: str, *shape: int) -> None:
        writer.add_tensor(name, (random.normal(size=shape) * 0.5).astype(np.float32))

    def constant(name: str, size: int, value: float) -> None:
        writer.add_tensor(name, np.full(size, value, np.float32))

    weights("token_embd.weight", len(tokens), WIDTH)
    weights("token_types.weight", 2, WIDTH)
    weights("position_embd.weight", context, WIDTH)
    constant("token_embd_norm.weight", WIDTH, 1.0)
    constant("token_embd_norm.bias", WIDTH, 0.0)
    for part in ("attn_q", "attn_k", "attn_v", "attn_output"):
        weights(f"blk.0.{part}.weight", WIDTH, WIDTH)
        constant(f"blk.0.{part}.bias", WIDTH, 0.0)
    constant("blk.0.attn_output_norm.weight", WIDTH, 1.0)
    constant("blk.0.attn_output_norm.bias", WIDTH, 0.0)
    weights("blk.0.ffn_up.weight", FEED_FORWARD, WIDTH)
    constant("blk.0.ffn_up.bias", FEED_FORWARD, 0.0)
    weights("blk.0.ffn_down.weight", WIDTH, FEED_FORWARD)
    constant("blk.0.ffn_down.bias", WIDTH, 0.0)
    constant("blk.0.layer_output_norm.weight", WIDTH, 1.0)
    constant("blk.0.layer_output_norm.bias", WIDTH, 0.0)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
