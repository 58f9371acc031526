"""The host against a server it did not write: @modelcontextprotocol/server-everything (npm)."""

import shutil

import pytest
from tests.agent.conftest import call

from papershelf.agent.config import parse_server_flag
from papershelf.agent.host import McpHost
from papershelf.agent.loop import Agent
from papershelf.agent.tools_mapping import openai_tools

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

if shutil.which("npx") is None:
    pytest.skip(
        "npx (Node.js) is not installed: cannot run server-everything", allow_module_level=True
    )

EVERYTHING = "everything=npx -y @modelcontextprotocol/server-everything"
STATIC_DOCUMENT = "demo://resource/static/document/architecture.md"


@pytest.fixture
async def everything():
    async with McpHost([parse_server_flag(EVERYTHING)], connect_timeout_s=180) as host:
        if "everything" in host.failures:
            pytest.skip(
                f"server-everything did not start (npm registry?): {host.failures['everything']}"
            )
        yield host


async def test_its_tools_are_listed_and_mapped_for_the_model(everything):
    assert {"everything__echo", "everything__get-sum"} <= set(everything.tools)
    functions = {
        t["function"]["name"]: t["function"] for t in openai_tools(list(everything.tools.values()))
    }
    assert set(functions["everything__get-sum"]["parameters"]["properties"]) == {"a", "b"}


async def test_the_model_calls_its_tools(everything, llm, chat_model):
    llm.reply(
        None,
        tool_calls=[
            call("everything__echo", message="hello"),
            call("everything__get-sum", a=2, b=3),
        ],
    )
    llm.reply("Echoed.")

    result = await Agent(everything, chat_model).ask("echo hello and add 2 and 3")

    echoed, summed = [m for m in llm.chat_requests[1]["messages"] if m["role"] == "tool"]
    assert "hello" in echoed["content"] and "5" in summed["content"]
    assert [c.status for c in result.tool_calls] == ["ok", "ok"]


async def test_a_resource_is_read(everything):
    read = await everything.read_resource(STATIC_DOCUMENT)
    assert read.contents[0].text.strip()


async def test_a_prompt_with_arguments_is_got(everything):
    prompt = await everything.get_prompt("args-prompt", {"city": "Beijing", "state": "Beijing"})
    assert "Beijing" in prompt.messages[0].content.text
