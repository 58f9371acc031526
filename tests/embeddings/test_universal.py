"""The default embedder keeps the Embedder contract and puts Chinese and English in one space."""

import numpy as np

from papershelf.embeddings.universal import UniversalSentenceEncoder


def cosine(model: UniversalSentenceEncoder, a: str, b: str) -> float:
    return float(model.embed_query(a) @ model.embed_query(b))


def test_documents_embed_to_one_unit_float32_row_each(use_model: UniversalSentenceEncoder) -> None:
    matrix = use_model.embed_documents(["Batch normalization", "像素重排", ""])
    assert matrix.shape == (3, use_model.dimensions)
    assert matrix.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(matrix[:2], axis=1), 1.0, rtol=1e-5)


def test_no_documents_give_an_empty_matrix(use_model: UniversalSentenceEncoder) -> None:
    assert use_model.embed_documents([]).shape == (0, use_model.dimensions)


def test_a_query_embeds_like_the_same_text_as_a_document(
    use_model: UniversalSentenceEncoder,
) -> None:
    text = "Pixel shuffle trades spatial resolution for channels."
    np.testing.assert_allclose(
        use_model.embed_query(text), use_model.embed_documents([text])[0], atol=1e-5
    )


def test_batching_does_not_change_a_vector(use_model: UniversalSentenceEncoder) -> None:
    texts = [f"passage number {i} about convolution filters" for i in range(40)]
    alone = use_model.embed_documents(texts[7:8])[0]
    np.testing.assert_allclose(use_model.embed_documents(texts)[7], alone, atol=1e-5)


def test_a_chinese_sentence_is_nearer_its_english_translation_than_another_topic(
    use_model: UniversalSentenceEncoder,
) -> None:
    chinese = "批归一化可以加速深度网络的训练"
    translation = "Batch normalization accelerates the training of deep networks"
    other = "The stock market fell sharply after the announcement"
    assert cosine(use_model, chinese, translation) > cosine(use_model, chinese, other) + 0.2


def test_the_model_id_names_the_vectors() -> None:
    assert UniversalSentenceEncoder.model_id == "use-multilingual-v3"
    assert UniversalSentenceEncoder.dimensions == 512


def test_a_repeated_query_returns_the_vector_it_would_compute(
    use_model: UniversalSentenceEncoder,
) -> None:
    text = "Which optimizer states does ZeRO partition across devices?"
    fresh = UniversalSentenceEncoder()
    first = fresh.embed_query(text)
    first[:] = 0.0  # a caller scribbling on its copy must not reach the cache
    again = fresh.embed_query(text)
    assert np.array_equal(again, use_model._encode([text], 1)[0])
    pieces = ["优化器", "状态", "划分"]
    assert np.array_equal(fresh.embed_documents(pieces), fresh.embed_documents(pieces))


def test_recent_inputs_are_bounded(monkeypatch) -> None:
    import papershelf.embeddings.universal as universal

    monkeypatch.setattr(universal, "CACHED_INPUTS", 3)
    model = UniversalSentenceEncoder()
    for i in range(5):
        model.embed_query(f"question {i}")
    assert list(model._recent) == [("question 2",), ("question 3",), ("question 4",)]
