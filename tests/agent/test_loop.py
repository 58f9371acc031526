"""The agent loop against a scripted OpenAI-compatible server and a real in-memory MCP server."""

import json

import pytest
from tests.agent.conftest import call
from tests.agent.toy_server import PIXEL_SHUFFLE, SMALL_ENCODER

from papershelf.agent.calls import CallPolicy
from papershelf.agent.loop import Agent, AgentEvents, AgentOptions
from papershelf.core.errors import SourceUnavailable

pytestmark = pytest.mark.anyio

SEARCH = "toy__search_papers"


def tool_messages(request: dict) -> list[dict]:
    return [m for m in request["messages"] if m["role"] == "tool"]


async def test_tools_reach_the_model_with_their_schema_as_parameters(llm, chat_model, toy_host):
    llm.reply("Nothing to search.")

    await Agent(toy_host, chat_model).ask("hello?")

    functions = {t["function"]["name"]: t["function"] for t in llm.chat_requests[0]["tools"]}
    assert set(functions) >= {SEARCH, "toy__save_note", "toy__hang"}
    parameters = functions[SEARCH]["parameters"]
    assert parameters["type"] == "object"
    assert parameters["properties"]["query"]["type"] == "string"
    assert parameters["required"] == ["query"]
    assert "input_schema" not in functions[SEARCH]


async def test_an_answer_cites_only_passages_the_tools_returned(llm, chat_model, toy_host):
    llm.reply(None, tool_calls=[call(SEARCH, query="SmolVLM advantages")])
    llm.reply(
        f"It compresses visual tokens {PIXEL_SHUFFLE} and wins benchmarks [arxiv:9999.99999 §1]."
    )

    result = await Agent(toy_host, chat_model).ask("SmolVLM有哪些技术优势?")

    assert [c.marker for c in result.citations] == [PIXEL_SHUFFLE]
    assert result.citations[0].section == "2.2 Pixel shuffle" and result.citations[0].pages == "4"
    assert result.dropped_citations == ["[arxiv:9999.99999 §1]"]
    assert "9999" not in result.answer and PIXEL_SHUFFLE in result.answer
    assert result.rounds == 2
    assert [c.status for c in result.tool_calls] == ["ok"]


async def test_several_calls_in_one_turn_are_all_answered_in_order(llm, chat_model, toy_host):
    llm.reply(
        None,
        tool_calls=[
            call(SEARCH, query="pixel shuffle"),
            call("toy__broken", reason="first"),
            call(SEARCH, query="vision encoder", limit=1),
        ],
    )
    llm.reply(f"Done {SMALL_ENCODER}.")

    result = await Agent(toy_host, chat_model).ask("q")

    answered = tool_messages(llm.chat_requests[1])
    assert [m["tool_call_id"] for m in answered] == ["call_0", "call_1", "call_2"]
    assert "broken tool: first" in answered[1]["content"]
    assert [c.status for c in result.tool_calls] == ["ok", "error", "ok"]


async def test_malformed_arguments_and_unknown_tools_are_told_to_the_model(
    llm, chat_model, toy_host
):
    llm.reply(None, tool_calls=[{"name": SEARCH, "arguments": '{"query": "pix'}, call("toy__nope")])
    llm.reply("Sorry.")

    result = await Agent(toy_host, chat_model).ask("q")

    invalid, unknown = tool_messages(llm.chat_requests[1])
    assert "not a JSON object" in invalid["content"]
    assert "no tool 'toy__nope'" in unknown["content"] and SEARCH in unknown["content"]
    assert [c.status for c in result.tool_calls] == ["invalid", "unknown"]


async def test_a_huge_result_is_capped_with_a_note(llm, chat_model, toy_host):
    llm.reply(None, tool_calls=[call("toy__dump_everything")])
    llm.reply("Too much.")
    options = AgentOptions(calls=CallPolicy(max_result_tokens=500))

    result = await Agent(toy_host, chat_model, options).ask("q")

    (answered,) = tool_messages(llm.chat_requests[1])
    assert len(answered["content"]) < 5000
    assert "result truncated by the host" in answered["content"]
    assert result.tool_calls[0].truncated


async def test_endless_tool_calling_stops_at_the_round_cap_with_a_forced_answer(
    llm, chat_model, toy_host
):
    for n in range(3):
        llm.reply(None, tool_calls=[call(SEARCH, query=f"attempt {n}")])
    llm.reply(f"Final {PIXEL_SHUFFLE}")

    result = await Agent(toy_host, chat_model, AgentOptions(max_rounds=3)).ask("q")

    final_request = llm.chat_requests[-1]
    assert "tools" not in final_request
    assert "tool budget is used up" in final_request["messages"][-1]["content"]
    assert result.stop_reason == "round_cap" and result.rounds == 3
    assert result.answer == f"Final {PIXEL_SHUFFLE}"


async def test_a_repeated_call_is_not_run_again_and_a_loop_of_repeats_ends(
    llm, chat_model, toy_host
):
    llm.reply(None, tool_calls=[call(SEARCH, query="same")])
    llm.reply(None, tool_calls=[call(SEARCH, query="same")])
    llm.reply("Answer from what I have.")

    result = await Agent(toy_host, chat_model).ask("q")

    assert [c.status for c in result.tool_calls] == ["ok", "repeated"]
    assert "already called" in tool_messages(llm.chat_requests[2])[-1]["content"]
    assert result.stop_reason == "repeated_calls"
    assert len(llm.chat_requests) == 3


async def test_a_tool_that_does_not_answer_times_out(llm, chat_model, toy_host):
    llm.reply(None, tool_calls=[call("toy__hang")])
    llm.reply("It hung.")
    options = AgentOptions(calls=CallPolicy(timeout_s=0.3))

    result = await Agent(toy_host, chat_model, options).ask("q")

    assert result.tool_calls[0].status == "timeout"
    assert "did not answer within 0.3s" in tool_messages(llm.chat_requests[1])[0]["content"]


async def test_a_tool_without_read_only_hint_needs_approval(llm, chat_model, toy_host, notes):
    llm.reply(None, tool_calls=[call("toy__save_note", text="hi")])
    llm.reply("Not allowed.")

    result = await Agent(toy_host, chat_model).ask("q")

    assert result.tool_calls[0].status == "denied" and notes == []
    assert "did not allow" in tool_messages(llm.chat_requests[1])[0]["content"]


async def test_an_approved_write_runs(llm, chat_model, toy_host, notes):
    llm.reply(None, tool_calls=[call("toy__save_note", text="hi")])
    llm.reply("Saved.")
    asked = []

    async def approve(tool, arguments):
        asked.append((tool.qualified_name, arguments))
        return True

    options = AgentOptions(calls=CallPolicy(approve=approve))
    await Agent(toy_host, chat_model, options).ask("q")

    assert asked == [("toy__save_note", {"text": "hi"})] and notes == ["hi"]


async def test_the_answer_streams_as_it_is_written(llm, chat_model, toy_host):
    llm.reply("A streamed answer in several pieces.")
    pieces = []

    await Agent(toy_host, chat_model, events=AgentEvents(on_text=pieces.append)).ask("q")

    assert len(pieces) > 1 and "".join(pieces) == "A streamed answer in several pieces."


async def test_a_provider_error_after_a_search_falls_back_to_the_passages(
    llm, chat_model, toy_host
):
    llm.reply(None, tool_calls=[call(SEARCH, query="pixel")])
    llm.fail(400, "context length exceeded")

    result = await Agent(toy_host, chat_model).ask("q")

    assert result.stop_reason == "llm_error"
    assert PIXEL_SHUFFLE in result.answer and result.citations[0].marker == PIXEL_SHUFFLE
    assert "context length exceeded" in result.notes[0]


async def test_a_provider_error_before_any_passage_is_an_error(llm, chat_model, toy_host):
    llm.fail(401, "bad key")

    with pytest.raises(SourceUnavailable, match="PAPERSHELF_LLM_API_KEY"):
        await Agent(toy_host, chat_model).ask("q")


async def test_a_rate_limit_is_retried_once(llm, chat_model, toy_host):
    llm.fail(429, "slow down")
    llm.reply("Fine now.")

    result = await Agent(toy_host, chat_model).ask("q")

    assert result.answer == "Fine now." and len(llm.chat_requests) == 2


async def test_a_model_that_takes_too_long_is_reported(llm, toy_host):
    from papershelf.llm.openai_chat import OpenAIChatModel

    llm.reply("late", delay_s=5)
    slow = OpenAIChatModel(llm.url, "test-model", timeout=0.3, retry_delay_s=0)
    try:
        with pytest.raises(SourceUnavailable, match=r"did not answer within 0\.3s"):
            await Agent(toy_host, slow).ask("q")
    finally:
        await slow.aclose()


async def test_guided_strategy_searches_with_the_question_then_answers(llm, chat_model, toy_host):
    llm.reply(f"- {PIXEL_SHUFFLE} Pixel shuffle reduces visual tokens.")

    result = await Agent(toy_host, chat_model, AgentOptions(strategy="guided")).ask("SmolVLM优势?")

    assert result.tool_calls[0].name == SEARCH
    assert result.tool_calls[0].arguments == {"query": "SmolVLM优势?", "limit": 5}
    (request,) = llm.chat_requests
    assert "tools" not in request and PIXEL_SHUFFLE in request["messages"][-1]["content"]
    assert [c.marker for c in result.citations] == [PIXEL_SHUFFLE]


async def test_search_first_gives_the_model_the_passages_in_its_first_turn(
    llm, chat_model, toy_host
):
    llm.reply(f"Compressed {PIXEL_SHUFFLE}.")

    result = await Agent(toy_host, chat_model, AgentOptions(search_first=True)).ask("SmolVLM?")

    (request,) = llm.chat_requests
    assert (
        request["messages"][-1]["role"] == "tool"
        and PIXEL_SHUFFLE in request["messages"][-1]["content"]
    )
    assert request["tools"] and result.rounds == 2
    assert [c.marker for c in result.citations] == [PIXEL_SHUFFLE]


async def test_without_a_model_the_answer_is_the_best_passages(toy_host):
    result = await Agent(toy_host, None).ask("SmolVLM?")

    assert result.stop_reason == "no_model" and result.model == "none"
    assert result.answer.startswith(f"- {PIXEL_SHUFFLE} Pixel shuffle")
    assert {c.marker for c in result.citations} == {PIXEL_SHUFFLE, SMALL_ENCODER}


async def test_json_result_has_the_documented_keys(llm, chat_model, toy_host):
    llm.reply(None, tool_calls=[call(SEARCH, query="x")])
    llm.reply(f"ok {PIXEL_SHUFFLE}")

    result = (await Agent(toy_host, chat_model).ask("q")).as_json()

    assert set(result) >= {"answer", "citations", "tool_calls", "model", "rounds", "tokens"}
    assert json.dumps(result)
    assert result["citations"][0]["marker"] == PIXEL_SHUFFLE
    assert result["tokens"]["prompt_estimated"] > 0
