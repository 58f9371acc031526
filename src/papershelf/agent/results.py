"""Tool results as the text the model reads, capped so one giant result cannot fill its context."""

import json

from mcp.types import CallToolResult

from papershelf.core.tokens import count_tokens

DEFAULT_RESULT_TOKENS = 4000


def result_text(result: CallToolResult) -> str:
    """Every content block as text (structured content when there is no text at all)."""
    parts = []
    for block in result.content:
        if block.type == "text":
            parts.append(block.text)
        elif block.type == "resource":
            resource = block.resource
            parts.append(getattr(resource, "text", None) or f"[binary resource {resource.uri}]")
        elif block.type == "resource_link":
            parts.append(f"[resource {block.uri}]")
        else:
            parts.append(f"[{block.type} omitted]")
    if not parts and result.structured_content is not None:
        parts.append(json.dumps(result.structured_content, ensure_ascii=False))
    text = "\n".join(parts)
    return f"error: {text or 'the tool failed without a message'}" if result.is_error else text


def capped(text: str, max_tokens: int) -> tuple[str, bool]:
    """`text` cut to about `max_tokens` tokens, with a note saying so; and whether it was cut."""
    total = count_tokens(text)
    if total <= max_tokens:
        return text, False
    # Token estimates are per piece of text, so find the cut by bisection on characters.
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if count_tokens(text[:middle]) <= max_tokens:
            low = middle
        else:
            high = middle - 1
    note = (
        f"\n[result truncated by the host: about {max_tokens} of {total} tokens shown. "
        "Ask for less (a smaller limit, one section or page) or continue with a cursor.]"
    )
    return text[:low] + note, True
