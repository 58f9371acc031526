"""A small conformance fixture server on the same framework as papershelf's (MCPServer 2.x,
the same Streamable HTTP app with Host/Origin validation): the tools, resources and prompts the
official suite's fixture scenarios call by name (test_simple_text, test://static-text, ...).

Run: python tests/conformance/fixture_server.py PORT
"""

import asyncio
import base64
import struct
import sys
import zlib
from typing import Annotated

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.prompts.base import UserMessage
from mcp.types import (
    AudioContent,
    Completion,
    EmbeddedResource,
    ImageContent,
    SamplingMessage,
    TextContent,
    TextResourceContents,
)
from pydantic import BaseModel, Field

from papershelf.server.http import http_app, run_http


def _png() -> bytes:
    """A 1x1 red PNG, built rather than pasted."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _wav() -> bytes:
    """One silent 16-bit mono sample at 8 kHz."""
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    data = b"\x00\x00"
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


PNG = base64.b64encode(_png()).decode()
WAV = base64.b64encode(_wav()).decode()


def build_fixture_server() -> MCPServer:
    server = MCPServer("papershelf-conformance-fixture", version="0.1.0")

    @server.tool(description="Returns simple text.")
    def test_simple_text() -> list[TextContent]:
        return [TextContent(type="text", text="This is a simple text response for testing.")]

    @server.tool(description="Returns an image.")
    def test_image_content() -> list[ImageContent]:
        return [ImageContent(type="image", data=PNG, mime_type="image/png")]

    @server.tool(description="Returns audio.")
    def test_audio_content() -> list[AudioContent]:
        return [AudioContent(type="audio", data=WAV, mime_type="audio/wav")]

    @server.tool(description="Returns an embedded resource.")
    def test_embedded_resource() -> list[EmbeddedResource]:
        return [
            _embedded(
                "test://embedded-resource", "text/plain", "This is an embedded resource content."
            )
        ]

    @server.tool(description="Returns text, an image and a resource.")
    def test_multiple_content_types() -> list[TextContent | ImageContent | EmbeddedResource]:
        return [
            TextContent(type="text", text="Multiple content types test:"),
            ImageContent(type="image", data=PNG, mime_type="image/png"),
            _embedded(
                "test://mixed-content-resource", "application/json", '{"test":"data","value":123}'
            ),
        ]

    @server.tool(description="Logs three messages while it runs.")
    async def test_tool_with_logging(ctx: Context) -> str:
        await ctx.info("Tool execution started")
        await asyncio.sleep(0.05)
        await ctx.info("Tool processing data")
        await asyncio.sleep(0.05)
        await ctx.info("Tool execution completed")
        return "Tool with logging executed successfully"

    @server.tool(description="Reports progress 0, 50, 100 of 100.")
    async def test_tool_with_progress(ctx: Context) -> str:
        for done in (0, 50, 100):
            await ctx.report_progress(done, 100)
            if done < 100:
                await asyncio.sleep(0.05)
        return "Tool with progress executed successfully"

    @server.tool(description="Always fails.")
    def test_error_handling() -> str:
        raise ToolError("This tool intentionally returns an error for testing")

    @server.tool(description="Asks the client's model to answer a prompt.")
    async def test_sampling(
        prompt: Annotated[str, Field(description="The prompt.")], ctx: Context
    ) -> str:
        answer = await ctx.session.create_message(
            [SamplingMessage(role="user", content=TextContent(type="text", text=prompt))],
            max_tokens=100,
        )
        text = (
            answer.content.text if isinstance(answer.content, TextContent) else str(answer.content)
        )
        return f"LLM response: {text}"

    class Person(BaseModel):
        username: str = Field(description="User's response")
        email: str = Field(description="User's email address")

    @server.tool(description="Asks the user for a name and an email.")
    async def test_elicitation(
        message: Annotated[str, Field(description="What to ask.")], ctx: Context
    ) -> str:
        answer = await ctx.elicit(message, Person)
        content = answer.data.model_dump() if answer.action == "accept" and answer.data else None
        return f"User response: action={answer.action}, content={content}"

    @server.resource(
        "test://static-text",
        name="static-text",
        description="A static text.",
        mime_type="text/plain",
    )
    def static_text() -> str:
        return "This is the content of the static text resource."

    @server.resource(
        "test://static-binary", name="static-binary", description="A PNG.", mime_type="image/png"
    )
    def static_binary() -> bytes:
        return base64.b64decode(PNG)

    @server.resource(
        "test://template/{id}/data",
        name="template",
        description="Data for an id.",
        mime_type="application/json",
    )
    def template(id: str) -> str:
        return f'{{"id":"{id}","templateTest":true,"data":"Data for ID: {id}"}}'

    @server.prompt(description="A simple prompt.")
    def test_simple_prompt() -> str:
        return "This is a simple prompt for testing."

    @server.prompt(description="A prompt with two arguments.")
    def test_prompt_with_arguments(
        arg1: Annotated[str, Field(description="First test argument")],
        arg2: Annotated[str, Field(description="Second test argument")],
    ) -> str:
        return f"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'"

    @server.prompt(description="A prompt embedding a resource.")
    def test_prompt_with_embedded_resource(
        resourceUri: Annotated[str, Field(description="URI of the resource to embed")],
    ) -> list[UserMessage]:
        return [
            UserMessage(
                content=_embedded(
                    resourceUri, "text/plain", "Embedded resource content for testing."
                )
            ),
            UserMessage(
                content=TextContent(type="text", text="Please process the embedded resource above.")
            ),
        ]

    @server.prompt(description="A prompt with an image.")
    def test_prompt_with_image() -> list[UserMessage]:
        return [
            UserMessage(content=ImageContent(type="image", data=PNG, mime_type="image/png")),
            UserMessage(content=TextContent(type="text", text="Please analyze the image above.")),
        ]

    @server.completion()
    async def complete(ref, argument, context) -> Completion:
        options = ["paris", "park", "party"]
        return Completion(
            values=[o for o in options if o.startswith(argument.value)], total=3, has_more=False
        )

    return server


def _embedded(uri: str, mime_type: str, text: str) -> EmbeddedResource:
    return EmbeddedResource(
        type="resource", resource=TextResourceContents(uri=uri, mime_type=mime_type, text=text)
    )


if __name__ == "__main__":
    port = int(sys.argv[1])
    # Stateful with SSE responses: the handshake-era scenarios send server-to-client requests
    # (sampling, elicitation) and notifications mid-call, which need a session and a stream.
    app = http_app(
        build_fixture_server(), "http", host="127.0.0.1", json_response=False, stateless=False
    )
    run_http(app, "127.0.0.1", port)
