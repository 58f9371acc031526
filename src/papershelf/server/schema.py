"""Tool schemas as sent in tools/list, stripped of what costs tokens and tells the model little:
every tool definition is paid for in every request a host sends to its model."""

import json
from collections.abc import Sequence
from typing import Any

from mcp.types import Tool

from papershelf.core.tokens import count_tokens

_NAME_MAPS = ("properties", "patternProperties")
_INPUT_DROPS = frozenset({"maxLength", "minLength", "maximum", "minimum"})
_OUTPUT_DROPS = frozenset({"required", "description"})


def slim_schema(schema: dict[str, Any], *, output: bool = False) -> dict[str, Any]:
    """The schema with `$ref`s inlined and without generated titles, `default: null` and (for
    input) length and range limits, which the server still enforces and its errors explain; an
    output schema also loses `required` and descriptions. `anyOf: [X, null]` becomes
    `type: [X, "null"]`."""
    defs = schema.get("$defs", {})
    drops = _OUTPUT_DROPS if output else _INPUT_DROPS
    body = {key: value for key, value in schema.items() if key != "$defs"}
    return _slim(body, defs, drops)


def _slim(node: Any, defs: dict[str, Any], drops: frozenset[str]) -> Any:
    if isinstance(node, list):
        return [_slim(item, defs, drops) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and ref.removeprefix("#/$defs/") in defs:
        return _slim(defs[ref.removeprefix("#/$defs/")], defs, drops)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "default" and value is None:
            continue
        if key in drops and not isinstance(value, dict):
            continue
        if key in _NAME_MAPS and isinstance(value, dict):
            out[key] = {name: _slim(sub, defs, drops) for name, sub in value.items()}
        else:
            out[key] = _slim(value, defs, drops)
    return _nullable(out)


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    """`{"anyOf": [{"type": "string"}, {"type": "null"}]}` -> `{"type": ["string", "null"]}`."""
    options = node.get("anyOf")
    if not isinstance(options, list) or len(options) != 2 or {"type": "null"} not in options:
        return node
    other = next(o for o in options if o != {"type": "null"})
    if not isinstance(other, dict) or not isinstance(other.get("type"), str):
        return node
    if set(other) & (set(node) - {"anyOf"}):
        return node
    merged = {key: value for key, value in node.items() if key != "anyOf"}
    return {**merged, **other, "type": [other["type"], "null"]}


def tool_definitions(tools: Sequence[Tool]) -> list[dict[str, Any]]:
    """What tools/list tells the model about each tool: name, description and both schemas."""
    return [
        {
            "name": tool.name,
            "description": tool.description,
            "inputSchema": tool.input_schema,
            "outputSchema": tool.output_schema,
        }
        for tool in tools
    ]


def definition_tokens(tools: Sequence[Tool]) -> int:
    """Estimated tokens the tool definitions cost in every request a host sends to its model."""
    return count_tokens(json.dumps(tool_definitions(tools), ensure_ascii=False))
