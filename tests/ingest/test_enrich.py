import time

import pytest

from papershelf.ingest.base import ParsedDocument
from papershelf.ingest.enrich import (
    Enrichment,
    clean_authors,
    enrich_metadata,
    parse_llm_list,
    parse_llm_title,
)
from papershelf.llm.openai_compat import OpenAICompatClient
from tests.support.fake_llm_server import FakeLLMServer, closed_port_url

MODEL = "qwen3:8b"
PAPER_TEXT = (
    "SmolVLM: Redefining small and efficient multimodal models\n"
    "Andrés Marafioti, Orr Zohar, Miquel Farré\nHugging Face\n"
    "Abstract\nWe introduce SmolVLM, a series of compact multimodal models."
)


@pytest.fixture
def llm_server():
    with FakeLLMServer(models=(MODEL,)) as server:
        yield server


@pytest.fixture
def client(llm_server):
    with OpenAICompatClient(llm_server.url, MODEL, timeout=5) as client:
        yield client


def _parsed(**fields) -> ParsedDocument:
    return ParsedDocument(kind="text", text=PAPER_TEXT, **fields)


@pytest.mark.parametrize(
    "answer",
    [
        '["SmolVLM", "pixel shuffle"]',
        '<think>They want ["a", "list"]. Fine.</think>\n["SmolVLM", "pixel shuffle"]',
        'so the answer is obvious.</think>\n["SmolVLM", "pixel shuffle"]',
        'Sure! Here are the keywords:\n["SmolVLM", "pixel shuffle"]\nLet me know if you need more.',
        '```json\n["SmolVLM", "pixel shuffle"]\n```',
        '```json\n["SmolVLM", "pixel shuffle"]',
        "['SmolVLM', 'pixel shuffle']",
        '["SmolVLM", "pixel shuffle",]',
        '{"keywords": ["SmolVLM", "pixel shuffle"]}',
        '[{"name": "SmolVLM"}, {"name": "pixel shuffle"}]',
        "Keywords: SmolVLM, pixel shuffle",
        '1. **SmolVLM**\n2. "pixel shuffle"',
        "- SmolVLM\n- pixel shuffle.",
        "“SmolVLM”, “pixel shuffle”",
        'See [1] for details: ["SmolVLM", "pixel shuffle"]',
        '["SmolVLM", "smolvlm", " SmolVLM ", "pixel shuffle"]',
    ],
)
def test_chatty_list_answers_give_the_list_meant(answer):
    assert parse_llm_list(answer) == ["SmolVLM", "pixel shuffle"]


def test_chinese_list_separators_are_understood():
    assert parse_llm_list("关键词：多模态模型、像素重排、视觉编码器") == [
        "多模态模型",
        "像素重排",
        "视觉编码器",
    ]


def test_an_object_of_scores_gives_its_keys():
    assert parse_llm_list('{"Computer Vision": 0.9, "Machine Learning": 0.4}') == [
        "Computer Vision",
        "Machine Learning",
    ]


def test_reasoning_that_never_ends_gives_nothing():
    assert parse_llm_list('<think>Maybe ["a", "b"], but let me reconsider the') == []


def test_sentences_are_not_taken_for_list_items():
    long_item = "this item is a whole sentence that goes on and on far beyond a keyword"

    assert parse_llm_list(f'["SmolVLM", "{long_item}"]') == ["SmolVLM"]


def test_numbers_inside_terms_survive_cleaning():
    assert parse_llm_list("- 3D reconstruction\n- 2.5D vision") == [
        "3D reconstruction",
        "2.5D vision",
    ]


@pytest.mark.parametrize(
    "answer",
    [
        "SmolVLM: Redefining small and efficient multimodal models",
        '<think>The first line is the title.</think>\n"SmolVLM: Redefining small and efficient '
        'multimodal models"',
        "Title: SmolVLM: Redefining small and efficient multimodal models",
        "Here is the title:\n\n**SmolVLM: Redefining small and efficient multimodal models**",
        "The title is “SmolVLM: Redefining small and efficient multimodal models”.",
        '{"title": "SmolVLM: Redefining small and efficient multimodal models"}',
        "# SmolVLM:   Redefining small and efficient\tmultimodal models",
    ],
)
def test_chatty_title_answers_give_the_bare_title(answer):
    assert parse_llm_title(answer) == "SmolVLM: Redefining small and efficient multimodal models"


def test_a_chinese_title_loses_its_label_and_full_stop():
    assert parse_llm_title("论文标题：多模态大模型综述。") == "多模态大模型综述"


def test_a_title_that_begins_like_a_label_word_is_kept_whole():
    assert (
        parse_llm_title("Fields of Experts for Image Priors")
        == "Fields of Experts for Image Priors"
    )


def test_a_runaway_title_is_cut_to_300_characters():
    assert len(parse_llm_title("word " * 200)) <= 300


def test_author_names_lose_footnote_marks_and_affiliations():
    names = ["Andrés Marafioti1,2", "Orr Zohar*", "Hugging Face Inc", "Stanford University"]

    assert clean_authors([*names, "Jan Kautz†", "jan@nvidia.com"]) == [
        "Andrés Marafioti",
        "Orr Zohar",
        "Jan Kautz",
    ]


def test_authors_joined_with_and_are_split():
    assert clean_authors(["Bowen Wen and Matthew Trepte"]) == ["Bowen Wen", "Matthew Trepte"]


def test_without_a_client_nothing_is_asked():
    assert enrich_metadata(_parsed(), None) == Enrichment()


def test_missing_title_and_authors_are_asked_for_with_categories_and_keywords(llm_server, client):
    llm_server.reply("<think>easy</think>SmolVLM: Redefining small and efficient multimodal models")
    llm_server.reply('["Andrés Marafioti", "Orr Zohar", "Miquel Farré"]')
    llm_server.reply("```json\n['Computer Vision', 'Machine Learning',]\n```")
    llm_server.reply('{"keywords": ["SmolVLM", "pixel shuffle"]}')

    enrichment = enrich_metadata(_parsed(), client)

    assert enrichment == Enrichment(
        title="SmolVLM: Redefining small and efficient multimodal models",
        authors=["Andrés Marafioti", "Orr Zohar", "Miquel Farré"],
        categories=["Computer Vision", "Machine Learning"],
        keywords=["SmolVLM", "pixel shuffle"],
    )
    assert all("SmolVLM" in r["messages"][-1]["content"] for r in llm_server.chat_requests)


def test_known_title_and_authors_are_not_asked_for(llm_server, client):
    llm_server.reply('["Computer Vision"]')
    llm_server.reply('["SmolVLM"]')
    parsed = _parsed(title="SmolVLM", authors=["Andrés Marafioti"])

    enrichment = enrich_metadata(parsed, client)

    assert len(llm_server.chat_requests) == 2
    assert (enrichment.title, enrichment.authors) == ("", [])
    assert (enrichment.categories, enrichment.keywords) == (["Computer Vision"], ["SmolVLM"])


def test_categories_and_keywords_are_capped(llm_server, client):
    llm_server.reply(str([f"Field {n}" for n in range(30)]))
    llm_server.reply(str([f"term {n}" for n in range(30)]))

    enrichment = enrich_metadata(_parsed(title="T", authors=["A B"]), client)

    assert (len(enrichment.categories), len(enrichment.keywords)) == (10, 15)


def test_an_unreachable_endpoint_gives_a_warning_at_once():
    started = time.monotonic()
    with OpenAICompatClient(closed_port_url(), MODEL) as client:
        enrichment = enrich_metadata(_parsed(), client)

    assert time.monotonic() - started < 2
    assert enrichment.title == "" and enrichment.keywords == []
    (warning,) = enrichment.warnings
    assert warning.startswith("LLM enrichment stopped before the title: cannot reach")


def test_a_failure_midway_keeps_what_was_answered(llm_server, client):
    llm_server.reply('["Computer Vision"]')
    llm_server.fail(500, "model crashed")

    enrichment = enrich_metadata(_parsed(title="T", authors=["A B"]), client)

    assert enrichment.categories == ["Computer Vision"]
    assert enrichment.keywords == []
    assert "before the keywords" in enrichment.warnings[0]
    assert "model crashed" in enrichment.warnings[0]


def test_an_unknown_model_stops_after_one_request_with_the_pull_advice(llm_server):
    with OpenAICompatClient(llm_server.url, "missing:1b") as client:
        enrichment = enrich_metadata(_parsed(), client)

    assert len(llm_server.requests) == 1
    assert "ollama pull missing:1b" in enrichment.warnings[0]


def test_a_slow_model_ends_the_asking_at_the_first_timeout(llm_server):
    llm_server.reply("too late", delay_s=30)
    with OpenAICompatClient(llm_server.url, MODEL, timeout=0.3) as client:
        enrichment = enrich_metadata(_parsed(), client)

    assert len(llm_server.requests) == 1
    assert "did not answer within" in enrichment.warnings[0]
