"""add_paper exists only with --allow-write, and reads only what the policy allows."""

import os
from pathlib import Path

import pytest
from mcp import Client

from papershelf.core.errors import InputError
from papershelf.server.app import build_server
from papershelf.server.security import WritePolicy, is_public
from tests.support.replay_server import ReplayServer, Reply

pytestmark = pytest.mark.anyio


def fixed_resolver(*addresses: str):
    return lambda host, port: list(addresses)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "note.md").write_text("# A Note On Quokkas\n\nQuokkas smile in every photograph.\n")
    return folder


async def test_add_paper_adds_a_file_under_an_allowed_root(writable_library, inbox):
    server = build_server(writable_library, write_policy=WritePolicy(roots=[inbox]))
    async with Client(server) as client:
        result = await client.call_tool("add_paper", {"source": "note.md"})
        assert not result.is_error, result.content[0].text
        added = result.structured_content["added"][0]
        found = await client.call_tool("search_papers", {"query": "quokkas smile"})
    assert added["outcome"] == "added"
    assert found.structured_content["hits"][0]["paper_id"] == added["paper_id"]


async def test_add_paper_is_marked_as_a_write_tool(writable_library, inbox):
    async with Client(
        build_server(writable_library, write_policy=WritePolicy(roots=[inbox]))
    ) as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == "add_paper")
    assert tool.annotations.read_only_hint is False
    assert tool.annotations.destructive_hint is False


@pytest.mark.parametrize("source", ["../secret.md", "/etc/passwd", "inbox/../../secret.md", "*.md"])
async def test_add_paper_refuses_paths_outside_the_roots(writable_library, inbox, source):
    (inbox.parent / "secret.md").write_text("# Secret\n\nDo not read.\n")
    async with Client(
        build_server(writable_library, write_policy=WritePolicy(roots=[inbox]))
    ) as client:
        result = await client.call_tool("add_paper", {"source": source})
    assert result.is_error
    assert "Secret" not in {p.title for p in writable_library.list()}


async def test_add_paper_refuses_a_symlink_that_escapes_the_root(writable_library, inbox):
    secret = inbox.parent / "secret.md"
    secret.write_text("# Secret\n\nDo not read.\n")
    os.symlink(secret, inbox / "link.md")
    async with Client(
        build_server(writable_library, write_policy=WritePolicy(roots=[inbox]))
    ) as client:
        result = await client.call_tool("add_paper", {"source": "link.md"})
    assert result.is_error
    assert "Secret" not in {p.title for p in writable_library.list()}


async def test_without_roots_local_files_are_refused_with_the_flag_to_use(writable_library, inbox):
    async with Client(build_server(writable_library, write_policy=WritePolicy())) as client:
        result = await client.call_tool("add_paper", {"source": str(inbox / "note.md")})
    assert result.is_error and "--root" in result.content[0].text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/a.pdf",
        "gopher://x",
        "http://user:pw@example.com/a.pdf",
    ],
)
def test_only_plain_http_urls_are_accepted(url):
    with pytest.raises(InputError):
        WritePolicy(resolver=fixed_resolver("93.184.215.14")).check_url(url)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.5",
        "169.254.169.254",
        "::1",
        "fd00::1",
        "::ffff:127.0.0.1",
    ],
)
def test_urls_resolving_to_private_addresses_are_refused(address):
    policy = WritePolicy(resolver=fixed_resolver("93.184.215.14", address))
    with pytest.raises(InputError, match="non-public address"):
        policy.check_url("https://innocent.example/paper.pdf")


def test_private_addresses_are_allowed_when_the_server_says_so():
    WritePolicy(allow_private_urls=True, resolver=fixed_resolver("127.0.0.1")).check_url(
        "http://localhost:8/x"
    )


def test_public_addresses_are_public():
    assert is_public("93.184.215.14") and is_public("2606:4700::1111")
    assert not is_public("0.0.0.0") and not is_public("not an address")


async def test_a_redirect_to_a_private_address_is_not_followed(writable_library):
    """The URL's host counts as public; its redirect leads to a loopback address and is refused
    before any request goes there."""
    with ReplayServer() as upstream:
        secret = upstream.base_url.replace("localhost", "127.0.0.1") + "/secret.md"
        upstream.route("/paper.md", Reply(status=302, headers={"Location": secret}))
        upstream.route("/secret.md", Reply.text("# Secret\n\nDo not read.\n"))

        def resolver(host: str, port: int) -> list[str]:
            return ["93.184.215.14"] if host == "localhost" else ["127.0.0.1"]

        url = upstream.base_url.replace("127.0.0.1", "localhost") + "/paper.md"
        server = build_server(writable_library, write_policy=WritePolicy(resolver=resolver))
        async with Client(server) as client:
            result = await client.call_tool("add_paper", {"source": url})
        assert result.is_error and "non-public address" in result.content[0].text
        assert [r.path for r in upstream.requests] == ["/paper.md"]
