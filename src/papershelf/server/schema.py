"""Tool schemas as sent in tools/list, stripped of what costs tokens and tells the model little:
every tool definition is paid for in every request a host sends to its model."""

import json
from collections.abc import Sequence
from typing import Any

from mcp.types import Tool

from papershelf.core.tokens import count_tokens

_INPUT_DROPS = frozenset({"maxLength", "minLength", "maximum", "minimum"})
_OUTPUT_DROPS = frozenset({"required", "description"})


def slim_schema(
    schema: dict[str, Any], *, output: bool = False, shallow: bool = False
) -> dict[str, Any]:
    """The schema as advertised: `$ref`s inlined; no generated titles or `default: null`; an
    optional field typed `X` rather than `[X, "null"]` (leaving it out means null: inputs default
    to None and results are sent without None values); below the root no `type: object` beside
    `properties`. Input schemas lose length and range limits (still enforced, and the errors say
    so); output schemas lose `required` and descriptions. A shallow schema describes the top-level
    fields only: their items and nested objects are left open."""
    defs = schema.get("$defs", {})
    drops = _OUTPUT_DROPS if output else _INPUT_DROPS
    body = {key: value for key, value in schema.items() if key != "$defs"}
    slim = _slim(
        body, defs, drops, required=set(schema.get("required", ())), root=True, output=output
    )
    if shallow:
        slim["properties"] = {name: _open(sub) for name, sub in slim.get("properties", {}).items()}
    return slim


def _open(node: dict[str, Any]) -> dict[str, Any]:
    """The field's type without what its items or properties hold."""
    if "properties" in node:
        return {"type": "object"}
    return {key: value for key, value in node.items() if key != "items"}


def _slim(
    node: Any,
    defs: dict[str, Any],
    drops: frozenset[str],
    *,
    required: set[str],
    root: bool,
    output: bool,
) -> Any:
    if isinstance(node, list):
        return [
            _slim(item, defs, drops, required=set(), root=False, output=output) for item in node
        ]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.removeprefix("#/$defs/") in defs:
        return _slim(
            defs[ref.removeprefix("#/$defs/")],
            defs,
            drops,
            required=set(),
            root=False,
            output=output,
        )
    inner_required = set(node.get("required", ())) if not output else set()
    out: dict[str, Any] = {}
    for key, value in node.items():
        if (key == "title" and isinstance(value, str)) or (key == "default" and value is None):
            continue
        if key in drops and not isinstance(value, dict):
            continue
        if key == "additionalProperties" and value is True:
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {
                name: _field(
                    _slim(sub, defs, drops, required=set(), root=False, output=output),
                    optional=name not in inner_required,
                )
                for name, sub in value.items()
            }
        else:
            out[key] = _slim(value, defs, drops, required=set(), root=False, output=output)
    out = _nullable(out)
    if not root and "properties" in out and out.get("type") == "object":
        del out["type"]
    return out


def _field(node: Any, *, optional: bool) -> Any:
    kind = node.get("type") if isinstance(node, dict) else None
    if optional and isinstance(kind, list) and len(kind) == 2 and "null" in kind:
        return {**node, "type": next(k for k in kind if k != "null")}
    return node


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
    definitions = []
    for tool in tools:
        definition = {
            "name": tool.name,
            "description": tool.description,
            "inputSchema": tool.input_schema,
        }
        if tool.output_schema is not None:
            definition["outputSchema"] = tool.output_schema
        definitions.append(definition)
    return definitions


def definition_tokens(tools: Sequence[Tool]) -> int:
    """Estimated tokens the tool definitions cost in every request a host sends to its model."""
    return count_tokens(json.dumps(tool_definitions(tools), ensure_ascii=False))
