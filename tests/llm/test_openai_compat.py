import time

import pytest

from papershelf.core.endpoints import openai_base_url
from papershelf.core.errors import SourceUnavailable
from papershelf.llm.openai_compat import OpenAICompatClient
from tests.support.fake_llm_server import FakeLLMServer, closed_port_url

MODEL = "qwen3:8b"
HELLO = [{"role": "user", "content": "Say hello"}]


@pytest.fixture
def llm_server():
    with FakeLLMServer(models=(MODEL,)) as server:
        yield server


@pytest.fixture
def make_client():
    """Builds clients and closes them after the test."""
    clients = []

    def make(base_url: str, model: str = MODEL, **options) -> OpenAICompatClient:
        clients.append(OpenAICompatClient(base_url, model, **options))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(llm_server, make_client):
    return make_client(llm_server.url, timeout=5)


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("http://localhost:11434/api", "http://localhost:11434/v1"),
        ("http://localhost:11434/api/generate", "http://localhost:11434/v1"),
        ("http://localhost:11434/api/chat/", "http://localhost:11434/v1"),
        ("http://localhost:11434", "http://localhost:11434/v1"),
        ("localhost:11434", "http://localhost:11434/v1"),
        ("http://localhost:11434/v1/", "http://localhost:11434/v1"),
        ("http://localhost:8000/v1/chat/completions", "http://localhost:8000/v1"),
        (
            "https://dashscope.aliyuncs.com/compatible-mode/v1",
            "https://dashscope.aliyuncs.com/compatible-mode/v1",
        ),
        ("https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1"),
    ],
)
def test_base_urls_written_the_tutorials_way_are_normalized(written, normalized):
    assert openai_base_url(written) == normalized


def test_complete_returns_the_assistants_reply(llm_server, client):
    llm_server.reply("Hello!")

    assert client.complete(HELLO) == "Hello!"


def test_complete_sends_model_messages_and_options_without_streaming(llm_server, client):
    llm_server.reply("ok")

    client.complete(HELLO, temperature=0, max_tokens=50)

    (request,) = llm_server.requests
    assert request.method == "POST"
    assert request.path == "/v1/chat/completions"
    assert request.body == {
        "temperature": 0,
        "max_tokens": 50,
        "model": MODEL,
        "messages": HELLO,
        "stream": False,
    }


def test_api_key_is_sent_as_a_bearer_token(llm_server, make_client):
    llm_server.reply("ok")

    make_client(llm_server.url, api_key="sk-test").complete(HELLO)

    assert llm_server.requests[0].headers["authorization"] == "Bearer sk-test"


def test_no_authorization_header_without_an_api_key(llm_server, client):
    llm_server.reply("ok")

    client.complete(HELLO)

    assert "authorization" not in llm_server.requests[0].headers


def test_a_url_of_ollamas_native_api_still_reaches_the_chat_endpoint(llm_server, make_client):
    llm_server.reply("ok")
    native = llm_server.url.removesuffix("/v1") + "/api/generate"

    assert make_client(native).complete(HELLO) == "ok"


def test_a_reply_with_only_tool_calls_gives_empty_text(llm_server, client):
    llm_server.reply(None, tool_calls=[{"name": "search_papers", "arguments": {"query": "x"}}])

    assert client.complete(HELLO) == ""


def test_an_unknown_model_says_how_to_pull_it(llm_server, make_client):
    client = make_client(llm_server.url, "llama9:1t")

    with pytest.raises(SourceUnavailable, match=r"'llama9:1t' not found.*ollama pull llama9:1t"):
        client.complete(HELLO)


def test_a_server_error_is_reported_with_its_message(llm_server, client):
    llm_server.fail(500, "CUDA out of memory")

    with pytest.raises(SourceUnavailable, match="HTTP 500: CUDA out of memory"):
        client.complete(HELLO)


def test_a_base_url_without_a_chat_endpoint_says_to_fix_the_url(llm_server, make_client):
    client = make_client(llm_server.url.removesuffix("/v1") + "/v2")

    with pytest.raises(SourceUnavailable, match="chat/completions does not exist"):
        client.complete(HELLO)


def test_a_rejected_api_key_says_which_setting_to_fix(llm_server, client):
    llm_server.fail(401, "invalid api key")

    with pytest.raises(SourceUnavailable, match="PAPERSHELF_LLM_API_KEY"):
        client.complete(HELLO)


def test_an_answer_that_is_not_json_is_reported_as_not_a_chat_completion(llm_server, client):
    llm_server.send_raw("<html>proxy error</html>")

    with pytest.raises(SourceUnavailable, match="other than a chat completion"):
        client.complete(HELLO)


def test_json_without_choices_is_reported_as_not_a_chat_completion(llm_server, client):
    llm_server.send_raw('{"response": "Ollama native format"}')

    with pytest.raises(SourceUnavailable, match="other than a chat completion"):
        client.complete(HELLO)


def test_a_slow_model_times_out_with_advice(llm_server, make_client):
    llm_server.reply("too late", delay_s=30)
    client = make_client(llm_server.url, timeout=0.3)
    started = time.monotonic()

    with pytest.raises(SourceUnavailable, match=r"did not answer within 0.3s.*llm_timeout_s"):
        client.complete(HELLO)
    assert time.monotonic() - started < 5


def test_an_endpoint_nobody_listens_on_says_to_start_it(make_client):
    client = make_client(closed_port_url())

    with pytest.raises(SourceUnavailable, match=r"cannot reach the LLM endpoint.*ollama serve"):
        client.complete(HELLO)


def test_available_when_the_endpoint_lists_its_models(client):
    assert client.available()


def test_not_available_when_nobody_listens(make_client):
    assert not make_client(closed_port_url()).available()


def test_not_available_when_the_models_list_fails(llm_server, client):
    llm_server.models_status = 503

    assert not client.available()
