import json
import time

import pytest

from papershelf.ingest.keywords import STOPWORDS, extract_keywords

ENGLISH = """Vision Transformers (ViT) split an image into patches. We study pixel shuffle for ViT
encoders. Pixel shuffle reduces the number of visual tokens. The vision encoder feeds visual
tokens to the language model.

Our SmolVLM model uses pixel shuffle and a small vision encoder. Visual tokens are compressed by
pixel shuffle (Shi et al., 2016). SmolVLM runs on a phone. The vision encoders of SmolVLM are
small, and SmolVLM-256M is the smallest SmolVLM."""

CHINESE = """视觉编码器把图像切成小块。像素重排可以减少视觉标记的数量，视觉编码器再把视觉标记交给语言模型。
我们的小模型使用像素重排和一个小的视觉编码器。像素重排让视觉标记更少，所以推理更快。
在手机上，视觉编码器和像素重排都很重要。视觉标记越少，内存越省。"""


def test_english_keywords_keep_phrases_acronyms_and_model_names():
    keywords = extract_keywords(ENGLISH)

    assert {"pixel shuffle", "visual tokens", "SmolVLM", "vision encoder", "ViT"} <= set(keywords)


def test_singular_and_plural_forms_give_one_keyword():
    keywords = [k.lower() for k in extract_keywords(ENGLISH)]

    assert len({"vision encoder", "vision encoders"} & set(keywords)) == 1
    assert len({"visual token", "visual tokens"} & set(keywords)) == 1


def test_a_word_that_only_occurs_inside_a_phrase_is_not_a_keyword_of_its_own():
    keywords = extract_keywords(ENGLISH)

    assert "shuffle" not in keywords and "pixel" not in keywords


def test_a_size_variant_is_left_out_once_the_model_name_is_chosen():
    assert "SmolVLM-256M" not in extract_keywords(ENGLISH)


def test_no_keyword_starts_or_ends_with_a_stopword():
    for keyword in extract_keywords(ENGLISH, limit=50):
        words = keyword.lower().split()
        assert words[0] not in STOPWORDS and words[-1] not in STOPWORDS


def test_cited_author_names_are_not_keywords():
    assert "Shi" not in extract_keywords(ENGLISH, limit=50)


def test_title_terms_rank_first():
    keywords = extract_keywords(ENGLISH, title="Learning with visual tokens")

    assert keywords[0] == "visual tokens"


def test_the_reference_list_adds_no_keywords():
    body = ENGLISH + "\n\nReferences\n" + "Hinton G. Dropout regularization. NeurIPS.\n" * 20

    keywords = extract_keywords(body, limit=50)

    assert not {"Hinton", "Dropout regularization", "NeurIPS"} & set(keywords)


def test_at_most_limit_keywords_and_the_same_every_time():
    first = extract_keywords(ENGLISH, limit=3)

    assert len(first) == 3
    assert first == extract_keywords(ENGLISH, limit=3)


def test_empty_text_gives_no_keywords():
    assert extract_keywords("") == []
    assert extract_keywords("   \n") == []


def test_chinese_keywords_are_whole_terms_not_fragments():
    keywords = extract_keywords(CHINESE, language="zh")

    assert {"视觉编码器", "像素重排", "视觉标记"} <= set(keywords)
    assert not {"视觉编", "觉编码器", "像素重", "素重排"} & set(keywords)


def test_chinese_keywords_hold_no_function_words():
    for keyword in extract_keywords(CHINESE, language="zh", limit=50):
        assert not {"的", "了", "我们", "可以"} & {keyword, keyword[0], keyword[-1], keyword[:2]}


def test_mixed_text_gives_chinese_and_english_terms():
    mixed = CHINESE + "\nSmolVLM 使用 pixel shuffle。SmolVLM 很小。pixel shuffle 很快。"

    keywords = extract_keywords(mixed, language="zh")

    assert {"SmolVLM", "pixel shuffle", "像素重排"} <= set(keywords)


def test_an_english_paper_with_a_few_chinese_words_stays_english():
    assert extract_keywords(ENGLISH + " 中文") == extract_keywords(ENGLISH)


@pytest.mark.corpus
def test_smolvlm_paper_keywords_name_its_key_ideas(corpus):
    text = (corpus / "docs" / "smolvlm-paper.txt").read_text(encoding="utf-8")

    keywords = extract_keywords(text)

    assert keywords[0] == "SmolVLM"
    expected = {"tokens", "GPU memory", "VLMs", "on-device", "Vision-Language Models", "compact"}
    assert len(expected & set(keywords)) >= 4
    assert {"pixel shuffle", "vision encoder", "visual tokens"} <= set(
        extract_keywords(text, limit=40)
    )


@pytest.mark.corpus
def test_chinese_translation_keywords_are_sensible_terms(corpus):
    text = (corpus / "docs" / "smolvlm-translation-zh.txt").read_text(encoding="utf-8")

    keywords = extract_keywords(text, language="zh")

    assert keywords[0] == "SmolVLM"
    assert "视觉语言模型" in keywords[:3]
    assert {"多模态", "训练数据", "部署"} <= set(keywords)


@pytest.mark.corpus
def test_chinese_article_keywords_include_its_techniques(corpus):
    text = (corpus / "docs" / "fast-foundationstereo-zh.md").read_text(encoding="utf-8")

    keywords = extract_keywords(text, language="zh")

    assert {"Fast-FoundationStereo", "剪枝", "蒸馏", "双目匹配"} <= set(keywords)


@pytest.mark.corpus
def test_a_100k_character_paper_takes_well_under_a_second(corpus):
    export = json.loads((corpus / "docs" / "essay_database.ai_essay.json").read_text("utf-8"))
    text = "".join(essay["content"] for essay in export)[:100_000]

    started = time.perf_counter()
    extract_keywords(text)

    # about 60-80 ms on a developer machine; the bound leaves room for a busy CI runner
    assert time.perf_counter() - started < 1.0
