"""Finding the search tool among any servers' tools, for the guided strategy and for answers
without a model: papershelf's `search_papers` first, else a read-only tool named like a search
that takes one text query."""

from typing import Any

from papershelf.agent.host import HostedTool, McpHost

PREFERRED = "search_papers"
_QUERY_NAMES = ("query", "q", "question", "text", "keywords")


def find_search_tool(host: McpHost) -> HostedTool | None:
    candidates = [t for t in host.tools.values() if _query_parameter(t) is not None]
    for tool in candidates:
        if tool.tool.name == PREFERRED:
            return tool
    for tool in candidates:
        if "search" in tool.tool.name.lower() and tool.read_only:
            return tool
    return None


def search_arguments(tool: HostedTool, question: str, limit: int) -> dict[str, Any]:
    properties = (tool.tool.input_schema or {}).get("properties") or {}
    arguments: dict[str, Any] = {_query_parameter(tool) or "query": question}
    for name in ("limit", "top_k", "k", "max_results"):
        if (properties.get(name) or {}).get("type") == "integer":
            arguments[name] = limit
            break
    return arguments


def _query_parameter(tool: HostedTool) -> str | None:
    schema = tool.tool.input_schema or {}
    properties = schema.get("properties") or {}
    required = schema.get("required") or []
    for name in (*_QUERY_NAMES, *required):
        if (properties.get(name) or {}).get("type") == "string":
            return name
    return None
