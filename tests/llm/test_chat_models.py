"""OpenAIChatModel against the scripted server, and how `--llm auto` chooses a model."""

import anyio
import pytest

from papershelf.core.errors import ConfigError, SourceUnavailable
from papershelf.core.settings import Settings
from papershelf.llm.chat import ChatRequest
from papershelf.llm.openai_chat import OpenAIChatModel
from papershelf.llm.providers import open_chat_model
from tests.support.fake_llm_server import FakeLLMServer, closed_port_url

HELLO = [{"role": "user", "content": "hi"}]


@pytest.fixture
def llm():
    with FakeLLMServer(models=("qwen3:8b",)) as server:
        yield server


def run(coroutine_function, *args):
    return anyio.run(coroutine_function, *args)


def chat(model: OpenAIChatModel, request: ChatRequest):
    async def go():
        try:
            await model.probe()
            return await model.chat(request)
        finally:
            await model.aclose()

    return run(go)


def test_a_grammar_is_sent_only_where_it_is_understood(llm):
    llm.reply("ok")
    llm.reply("ok")
    request = ChatRequest(HELLO, grammar='root ::= "ok"')

    chat(OpenAIChatModel(llm.url, "qwen3:8b"), request)  # lists itself as owned by "fake"
    chat(OpenAIChatModel(llm.url, "qwen3:8b", supports_grammar=True), request)

    first, second = llm.chat_requests
    assert "grammar" not in first
    assert second["grammar"] == 'root ::= "ok"'


def test_a_server_that_ignores_stream_still_gives_a_reply(llm):
    llm.send_raw(
        '{"choices": [{"message": {"role": "assistant", "content": "plain", "tool_calls": '
        '[{"id": "c1", "type": "function", "function": {"name": "f", "arguments": {"a": 1}}}]}, '
        '"finish_reason": "tool_calls"}], "usage": {"prompt_tokens": 3, "completion_tokens": 2}}'
    )

    reply = chat(OpenAIChatModel(llm.url, "qwen3:8b"), ChatRequest(HELLO))

    assert reply.content == "plain"
    assert reply.tool_calls[0].name == "f" and reply.tool_calls[0].arguments == '{"a": 1}'
    assert reply.usage.total_tokens == 5


def test_an_answer_that_is_not_a_completion_says_so(llm):
    llm.send_raw("<html>proxy error</html>")

    with pytest.raises(SourceUnavailable, match="other than a chat completion"):
        chat(OpenAIChatModel(llm.url, "qwen3:8b"), ChatRequest(HELLO))


def test_auto_uses_the_endpoint_when_it_has_the_model(llm):
    async def choose():
        chosen = await open_chat_model(Settings(ollama_base_url=llm.url), "auto")
        await chosen.model.aclose()
        return chosen

    chosen = run(choose)
    assert chosen.note == f"using qwen3:8b at {llm.url}" and not chosen.embedded


def test_auto_without_the_model_or_an_embedded_one_answers_with_passages(llm, monkeypatch):
    monkeypatch.setattr("papershelf.llm.model_files.bundled_gguf", lambda: None)

    chosen = run(
        open_chat_model, Settings(ollama_base_url=llm.url, ollama_model="llama3:70b"), "auto"
    )

    assert chosen.model is None
    assert "does not have the model 'llama3:70b'" in chosen.note
    assert "answering with the passages found" in chosen.note


def test_auto_with_nothing_listening_says_so(monkeypatch):
    monkeypatch.setattr("papershelf.llm.model_files.bundled_gguf", lambda: None)
    url = closed_port_url()

    chosen = run(open_chat_model, Settings(ollama_base_url=url), "auto")

    assert chosen.model is None and f"no LLM answered at {url}" in chosen.note


def test_a_model_file_that_does_not_exist_is_a_config_error():
    with pytest.raises(ConfigError, match=r"not a \.gguf file"):
        run(open_chat_model, Settings(), "embedded", "/nowhere/model.gguf")


def test_a_word_that_is_no_url_is_refused():
    with pytest.raises(ConfigError, match="use auto, embedded, none"):
        run(open_chat_model, Settings(), "ollama")
