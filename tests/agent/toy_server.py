"""A small real MCP server for the loop tests: a cited search, a giant result, a failing tool,
a tool that never answers, and a tool that changes data (no readOnlyHint)."""

from typing import Annotated

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

READ_ONLY = ToolAnnotations(read_only_hint=True)
PIXEL_SHUFFLE = "[arxiv:2504.05299 §2.2 p.4]"
SMALL_ENCODER = "[arxiv:2504.05299 §2.1 p.3]"
PASSAGES = {
    PIXEL_SHUFFLE: (
        "2.2 Pixel shuffle",
        "4",
        "Pixel shuffle rearranges spatial features into channels, reducing the number of visual "
        "tokens by r squared. Small VLMs benefit from more aggressive compression (r=4).",
    ),
    SMALL_ENCODER: (
        "2.1 Compute allocation",
        "3",
        "Compact multimodal models benefit from a balanced encoder-LM parameter allocation, "
        "making smaller vision encoders preferable for efficiency.",
    ),
}


class Hit(BaseModel):
    paper_id: str
    title: str
    section: str
    pages: str
    text: str
    score: float
    citation: str


class SearchResult(BaseModel):
    hits: list[Hit]


class Note(BaseModel):
    saved: str


def build_toy_server(notes: list[str] | None = None) -> MCPServer:
    saved = notes if notes is not None else []
    server = MCPServer("toy", instructions="A toy library about SmolVLM.")

    async def search_papers(
        query: Annotated[str, Field(description="Key terms or a question.")],
        limit: Annotated[int, Field(ge=1, le=20)] = 5,
    ) -> SearchResult:
        """Passages answering a question, with citations."""
        hits = [
            Hit(paper_id="arxiv:2504.05299", title="SmolVLM", section=section, pages=pages,
                text=text, score=2.0 - n, citation=marker)
            for n, (marker, (section, pages, text)) in enumerate(PASSAGES.items())
        ]  # fmt: skip
        return SearchResult(hits=hits[:limit])

    async def dump_everything() -> str:
        """The whole library at once (far too much)."""
        return "SmolVLM " * 200_000

    async def broken(reason: str = "disk on fire") -> str:
        """Always fails."""
        raise ToolError(f"broken tool: {reason}")

    async def hang() -> str:
        """Never answers."""
        await anyio.Event().wait()
        return "never"

    async def save_note(text: str) -> Note:
        """Saves a note (changes data)."""
        saved.append(text)
        return Note(saved=text)

    for tool in (search_papers, dump_everything, broken, hang):
        server.add_tool(tool, annotations=READ_ONLY)
    server.add_tool(save_note)

    @server.prompt()
    def summarize_paper(paper_id: str) -> str:
        """Summarise one paper."""
        return f"Summarise the paper {paper_id} with citations."

    @server.resource("paper://{paper_id}")
    def paper(paper_id: str) -> str:
        """A paper's metadata."""
        return f"metadata of {paper_id}"

    return server
