"""`papershelf add` with arXiv ids against a local server replaying arXiv's API and PDFs."""

import json

import pytest

from tests.support.documents import write_pdf
from tests.support.replay_server import FIXTURES_DIR, Reply, closed_port_url

ATOM_V1 = (FIXTURES_DIR / "arxiv" / "2504.05299.reconstructed.atom.xml").read_bytes()
ATOM_V2 = ATOM_V1.replace(b"2504.05299v1", b"2504.05299v2")


@pytest.fixture
def arxiv(replay_server, monkeypatch, tmp_path):
    monkeypatch.setenv("PAPERSHELF_ARXIV_API_URL", replay_server.url("/api/query"))
    monkeypatch.setenv("PAPERSHELF_ARXIV_PDF_URL", replay_server.url("/pdf"))
    monkeypatch.setenv("PAPERSHELF_ARXIV_DELAY_S", "0")
    monkeypatch.setenv("PAPERSHELF_HTTP_TIMEOUT_S", "1")
    monkeypatch.setenv("PAPERSHELF_HTTP_RETRIES", "0")
    pdf_v1 = write_pdf(tmp_path / "v1.pdf").read_bytes()
    replay_server.route(
        "/api/query?id_list=2504.05299&max_results=1", Reply(body=ATOM_V1, headers=_atom)
    )
    replay_server.route(
        "/api/query?id_list=2504.05299v1&max_results=1", Reply(body=ATOM_V1, headers=_atom)
    )
    replay_server.route("/pdf/2504.05299v1", Reply(body=pdf_v1, headers=_pdf))
    return replay_server


_atom = {"Content-Type": "application/atom+xml; charset=utf-8"}
_pdf = {"Content-Type": "application/pdf"}


def test_an_arxiv_id_is_added_with_the_metadata_arxiv_reports(shelf, arxiv):
    result = shelf("add", "2504.05299", "--json")
    assert result.exit_code == 0, result.output
    shown = shelf("show", "arxiv:2504.05299", "--json")
    assert '"title": "SmolVLM: Redefining small and efficient multimodal models"' in shown.stdout
    assert '"version": 1' in shown.stdout
    assert '"Andrés Marafioti"' in shown.stdout


def test_every_form_of_the_same_id_collapses_into_one_download(shelf, arxiv):
    result = shelf("add", "2504.05299", "arXiv:2504.05299", "https://arxiv.org/abs/2504.05299")
    assert result.exit_code == 0, result.output
    assert len(arxiv.requests_to("/pdf/2504.05299v1")) == 1
    assert result.stdout.count("added") == 1


def test_re_adding_an_arxiv_paper_downloads_nothing_and_changes_nothing(shelf, arxiv):
    assert shelf("add", "2504.05299").exit_code == 0
    before = shelf.database_digest()
    again = shelf("add", "https://arxiv.org/pdf/2504.05299v1.pdf")
    assert again.exit_code == 0
    assert "unchanged" in again.stdout
    assert len(arxiv.requests_to("/pdf/2504.05299v1")) == 1
    assert shelf.database_digest() == before


def test_a_newer_arxiv_version_replaces_the_old_one(shelf, arxiv, tmp_path):
    assert shelf("add", "2504.05299").exit_code == 0
    newer = write_pdf(
        tmp_path / "v2.pdf",
        pages=[[("SmolVLM version two", 20), ("Brand new findings about hyperbolic tokens.", 10)]],
    )
    arxiv.route("/api/query?id_list=2504.05299v2&max_results=1", Reply(body=ATOM_V2, headers=_atom))
    arxiv.route("/pdf/2504.05299v2", Reply(body=newer.read_bytes(), headers=_pdf))
    result = shelf("add", "2504.05299v2")
    assert result.exit_code == 0, result.output
    assert "replaced" in result.stdout
    assert '"version": 2' in shelf("show", "2504.05299", "--json").stdout
    assert "hyperbolic" in shelf("search", "hyperbolic tokens").stdout
    texts = [
        hit["text"] for hit in json.loads(shelf("search", "pixel shuffle", "--json").stdout)["hits"]
    ]
    assert not any("Pixel shuffle rearranges" in text for text in texts)
    listed = shelf("list", "--json")
    assert listed.stdout.count('"paper_id"') == 1


def test_an_arxiv_id_that_does_not_exist_is_refused(shelf, arxiv):
    arxiv.route(
        "/api/query?id_list=2512.99999&max_results=1",
        Reply.from_file("arxiv/empty-feed.recorded.atom.xml"),
    )
    result = shelf("add", "2512.99999")
    assert result.exit_code == 1
    assert "arxiv has no paper 2512.99999" in result.stderr.lower()
    assert "Traceback" not in result.output


def test_a_network_timeout_is_reported_with_what_to_do(shelf, arxiv):
    arxiv.route("/api/query?id_list=2501.09898&max_results=1", Reply(body=ATOM_V1, delay_s=3))
    result = shelf("add", "2501.09898")
    assert result.exit_code == 1
    assert "timed out" in result.stderr
    assert shelf("list", "--json").stdout.count('"paper_id"') == 0


def test_a_refused_connection_is_reported(shelf, monkeypatch):
    monkeypatch.setenv("PAPERSHELF_ARXIV_API_URL", closed_port_url("/api/query"))
    monkeypatch.setenv("PAPERSHELF_HTTP_RETRIES", "0")
    result = shelf("add", "2504.05299")
    assert result.exit_code == 1
    assert "127.0.0.1" in result.stderr
    assert "Traceback" not in result.output


def test_html_served_instead_of_the_arxiv_pdf_is_refused(shelf, arxiv):
    arxiv.route(
        "/pdf/2504.05299v1", Reply.from_file("arxiv/pdf-replaced-by-html.reconstructed.html")
    )
    result = shelf("add", "2504.05299")
    assert result.exit_code == 1
    assert "HTML page" in result.stderr
    assert shelf("list", "--json").stdout.count('"paper_id"') == 0


def test_a_url_ending_in_pdf_that_returns_html_is_refused(shelf, replay_server):
    replay_server.route(
        "/papers/x.pdf",
        Reply.text("<html><body>Please log in</body></html>", content_type="text/html"),
    )
    result = shelf("add", replay_server.url("/papers/x.pdf"))
    assert result.exit_code == 1
    assert "pdf" in result.stderr.lower()
    assert shelf("list", "--json").stdout.count('"paper_id"') == 0


def test_a_markdown_document_is_added_from_a_url(shelf, replay_server):
    replay_server.route(
        "/notes/tokens.md",
        Reply.text(
            "# Token Budgets\n\nPixel shuffle saves tokens.\n", content_type="text/markdown"
        ),
    )
    result = shelf("add", replay_server.url("/notes/tokens.md"))
    assert result.exit_code == 0, result.output
    assert "Token Budgets" in shelf("list").stdout
