"""The scripted LLM server other tests rely on: streaming, tool calls, order and recording."""

import json

import httpx
import pytest

from tests.support.fake_llm_server import NO_SCRIPT_LEFT, FakeLLMServer


@pytest.fixture
def llm_server():
    with FakeLLMServer() as server:
        yield server


def _chat(server: FakeLLMServer, **extra) -> httpx.Response:
    body = {"model": "test-model", "messages": [{"role": "user", "content": "hi"}], **extra}
    return httpx.post(f"{server.url}/chat/completions", json=body, timeout=5)


def test_scripted_replies_come_back_in_order(llm_server):
    llm_server.reply("first")
    llm_server.reply("second")

    answers = [_chat(llm_server).json()["choices"][0]["message"]["content"] for _ in range(2)]

    assert answers == ["first", "second"]


def test_an_empty_script_answers_500(llm_server):
    response = _chat(llm_server)

    assert response.status_code == 500
    assert response.json()["error"]["message"] == NO_SCRIPT_LEFT


def test_tool_calls_come_in_openai_form(llm_server):
    llm_server.reply(None, tool_calls=[{"name": "search_papers", "arguments": {"query": "ViT"}}])

    choice = _chat(llm_server).json()["choices"][0]

    assert choice["finish_reason"] == "tool_calls"
    (call,) = choice["message"]["tool_calls"]
    assert call["type"] == "function"
    assert call["function"]["name"] == "search_papers"
    assert json.loads(call["function"]["arguments"]) == {"query": "ViT"}


def test_a_streamed_reply_arrives_in_chunks_that_add_up(llm_server):
    llm_server.reply("A reply long enough to need several chunks.")

    lines = _chat(llm_server, stream=True).text.splitlines()

    events = [line.removeprefix("data: ") for line in lines if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(event)["choices"][0] for event in events[:-1]]
    text = "".join(chunk["delta"].get("content") or "" for chunk in chunks)
    assert text == "A reply long enough to need several chunks."
    assert chunks[-1]["finish_reason"] == "stop"


def test_every_request_is_recorded(llm_server):
    llm_server.reply("ok")

    _chat(llm_server, temperature=0)
    httpx.get(f"{llm_server.url}/models", timeout=5)

    assert [(r.method, r.path) for r in llm_server.requests] == [
        ("POST", "/v1/chat/completions"),
        ("GET", "/v1/models"),
    ]
    assert llm_server.chat_requests[0]["temperature"] == 0
