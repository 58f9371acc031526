"""The tool reference in docs/mcp.md, generated from the server itself (checked by a test so
the docs never drift). Run: python -m papershelf.server.docs"""

import asyncio
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.types import Tool

from papershelf.core.settings import Settings
from papershelf.library import Library
from papershelf.server.app import build_server
from papershelf.server.schema import definition_tokens
from papershelf.server.security import WritePolicy

DOC = Path(__file__).resolve().parents[3] / "docs" / "mcp.md"
START, END = "<!-- tools:start -->", "<!-- tools:end -->"


def _type(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "any")
    return " or ".join(kind) if isinstance(kind, list) else str(kind)


def render_tool(tool: Tool) -> str:
    hint = tool.annotations
    marks = "read-only" if hint and hint.read_only_hint else "writes (only with `--allow-write`)"
    lines = [f"### `{tool.name}` ({marks})", "", tool.description or "", ""]
    properties = tool.input_schema.get("properties", {})
    required = set(tool.input_schema.get("required", ()))
    if properties:
        lines += ["| parameter | type | default | meaning |", "|---|---|---|---|"]
        for name, schema in properties.items():
            default = "required" if name in required else str(schema.get("default", "optional"))
            lines.append(
                f"| `{name}` | {_type(schema)} | {default} | {schema.get('description', '')} |"
            )
    fields = ", ".join(f"`{name}`" for name in (tool.output_schema or {}).get("properties", {}))
    lines += [
        "",
        f"Structured result: {fields}."
        if fields
        else "Structured result: as its text (no schema).",
    ]
    return "\n".join(lines)


async def _tools() -> list[Tool]:
    # Defaults only: the reference must not depend on who generates it.
    library = Library(Settings(db_name="essay_database", collection_name="ai_essay"))
    async with Client(build_server(library, write_policy=WritePolicy())) as client:
        return (await client.list_tools()).tools


def tool_reference() -> str:
    tools = asyncio.run(_tools())
    default = [t for t in tools if t.name != "add_paper"]
    head = (
        f"{len(default)} tools by default, {len(tools)} with `--allow-write`; their definitions cost "
        f"{definition_tokens(default)} and {definition_tokens(tools)} tokens in every request a host "
        "sends to its model (budget: 2,000)."
    )
    return "\n\n".join([head, *(render_tool(t) for t in tools)])


def updated(text: str) -> str:
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    return f"{before}{START}\n{tool_reference()}\n{END}{after}"


def main() -> None:
    DOC.write_text(updated(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {DOC}")


if __name__ == "__main__":
    main()
