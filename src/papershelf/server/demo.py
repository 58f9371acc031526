"""`make run`'s look at the MCP server: build it in process over the library at PAPERSHELF_HOME,
list its tools, and make one search_papers call the way a host would.

Run: python -m papershelf.server.demo ["query"]
"""

import asyncio
import sys

from mcp import Client
from mcp.types import TextContent

from papershelf.core.settings import Settings
from papershelf.library import open_library
from papershelf.server.app import build_server
from papershelf.server.schema import definition_tokens

DEFAULT_QUERY = "pixel shuffle visual tokens"


async def show(query: str) -> None:
    with open_library(Settings()) as library:
        async with Client(build_server(library)) as client:
            tools = (await client.list_tools()).tools
            names = ", ".join(tool.name for tool in tools)
            print(
                f"MCP tools ({len(tools)}, {definition_tokens(tools)} tokens of definitions): {names}"
            )
            print(f'\ntools/call search_papers {{"query": "{query}", "limit": 2}} ->\n')
            result = await client.call_tool("search_papers", {"query": query, "limit": 2})
            print(
                "\n".join(block.text for block in result.content if isinstance(block, TextContent))
            )
    print(
        "\nServe this library to an MCP host: papershelf serve (stdio), "
        "papershelf serve --transport http (Streamable HTTP at /mcp); see docs/mcp.md."
    )


def main() -> None:
    asyncio.run(show(" ".join(sys.argv[1:]) or DEFAULT_QUERY))


if __name__ == "__main__":
    main()
