"""docs/mcp.md's tool reference is generated from the server and must match it."""

from papershelf.server.docs import DOC, END, START, updated


def test_the_tool_reference_in_docs_mcp_md_is_up_to_date():
    text = DOC.read_text(encoding="utf-8")
    assert START in text and END in text
    assert updated(text) == text, "run: python -m papershelf.server.docs"
