"""A few short papers on distinct topics, English and Chinese, for the search tests."""

from papershelf.core.models import Document
from tests.storage.contract import make_document

PAPERS = {
    "arxiv:1502.03167": (
        "Batch Normalization: Accelerating Deep Network Training",
        [
            "We normalize layer inputs over each mini-batch, which reduces internal covariate shift "
            "and lets us use much higher learning rates.",
            "A learned scale and shift after normalization let the layer represent the identity "
            "transform, so normalization never limits what the network can express.",
            "At inference the population statistics replace the mini-batch statistics.",
        ],
    ),
    "arxiv:1911.05722": (
        "Momentum Contrast for Unsupervised Visual Representation Learning",
        [
            "The key encoder is a momentum-based moving average of the query encoder, which keeps "
            "the keys in the dictionary queue consistent.",
            "A queue of encoded keys decouples the dictionary size from the mini-batch size.",
            "MoCo with a ResNet-50 reaches 60.6% accuracy under linear classification.",
        ],
    ),
    "arxiv:2204.02311": (
        "PaLM: Scaling Language Modeling with Pathways",
        [
            "We trained PaLM 540B on 6144 TPU v4 chips across two pods using Pathways.",
            "The vocabulary is a lossless SentencePiece vocabulary with 256k tokens.",
            "Large language models show breakthrough performance on reasoning tasks when prompted "
            "with chains of thought.",
        ],
    ),
    "doc:000000smolzh": (
        "SmolVLM 越变越小",
        [
            "SmolVLM 使用像素重排来压缩视觉令牌，让模型在手机上也能高效推理。",
            "新版本选用了 93M 参数的 SigLIP 视觉编码器。",
        ],
    ),
}


def documents() -> list[Document]:
    return [
        make_document(pid, texts, title=title, language="zh" if pid.startswith("doc:") else "en")
        for pid, (title, texts) in PAPERS.items()
    ]


def overlapping_document() -> Document:
    """Two passages about pixel shuffle, the second repeating most of the first one's span, as
    consecutive chunks do."""
    document = make_document(
        "doc:overlap", ["pixel shuffle compresses tokens", "pixel shuffle compresses tokens again"]
    )
    document.passages[1].char_start = document.passages[0].char_start + 2
    return document
