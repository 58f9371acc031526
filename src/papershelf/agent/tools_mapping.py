"""MCP tools as OpenAI function definitions.

The tutorial sent the schema as `input_schema`, a field no provider reads, so its models saw
tools without parameters. Here `parameters` is the tool's input schema, cleaned of what
providers reject: `$schema`/`$id`, local `$ref`s (inlined), `anyOf [X, null]` (optional
parameters, which Gemini-style and several Ollama templates refuse), and titles.
"""

import copy
from typing import Any

from papershelf.agent.host import HostedTool

DESCRIPTION_CHARS = 1024
_DROPPED_KEYS = frozenset(
    {"$schema", "$id", "$comment", "title", "examples", "$defs", "definitions"}
)
_MAX_REF_DEPTH = 8


def openai_tools(tools: list[HostedTool]) -> list[dict[str, Any]]:
    return [openai_tool(t) for t in tools]


def openai_tool(hosted: HostedTool) -> dict[str, Any]:
    tool = hosted.tool
    description = (tool.description or tool.title or hosted.tool.name).strip()
    return {
        "type": "function",
        "function": {
            "name": hosted.qualified_name,
            "description": description[:DESCRIPTION_CHARS],
            "parameters": clean_schema(tool.input_schema or {}),
        },
    }


def clean_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema every OpenAI-compatible provider accepts, with the same meaning for calls."""
    definitions = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    cleaned = _clean(copy.deepcopy(schema), definitions, 0)
    if not isinstance(cleaned, dict) or cleaned.get("type") != "object":
        cleaned = {"type": "object", "properties": {}}
    cleaned.setdefault("properties", {})
    if "required" in cleaned:
        cleaned["required"] = [r for r in cleaned["required"] if r in cleaned["properties"]]
    return cleaned


def _clean(node: Any, definitions: dict[str, Any], depth: int) -> Any:
    if isinstance(node, list):
        return [_clean(item, definitions, depth) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        target = _resolve(ref, definitions)
        if target is None or depth >= _MAX_REF_DEPTH:
            return {"type": "object"}  # recursive or remote: accept any object
        merged = {**copy.deepcopy(target), **{k: v for k, v in node.items() if k != "$ref"}}
        return _clean(merged, definitions, depth + 1)
    cleaned = {}
    for key, value in node.items():
        if key in _DROPPED_KEYS:
            continue
        if key == "properties" and isinstance(value, dict):
            cleaned[key] = {name: _clean(sub, definitions, depth) for name, sub in value.items()}
        else:
            cleaned[key] = _clean(value, definitions, depth)
    return _without_null_branch(cleaned)


def _without_null_branch(node: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, {type: null}]` becomes X: leaving the parameter out means null."""
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if not isinstance(branches, list):
            continue
        kept = [b for b in branches if not (isinstance(b, dict) and b.get("type") == "null")]
        if len(kept) == 1 and len(kept) < len(branches):
            rest = {k: v for k, v in node.items() if k != key}
            if rest.get("default", 0) is None:
                rest.pop("default")
            return {**kept[0], **rest}
    if isinstance(node.get("type"), list):
        types = [t for t in node["type"] if t != "null"]
        node["type"] = types[0] if len(types) == 1 else types
    return node


def _resolve(ref: str, definitions: dict[str, Any]) -> dict[str, Any] | None:
    for prefix in ("#/$defs/", "#/definitions/"):
        if ref.startswith(prefix):
            found = definitions.get(ref.removeprefix(prefix))
            return found if isinstance(found, dict) else None
    return None
