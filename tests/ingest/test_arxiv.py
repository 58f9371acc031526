import io
from datetime import date

import pytest
from pypdf import PdfWriter

from papershelf.core.errors import NotFound, SourceUnavailable
from papershelf.core.settings import Settings
from papershelf.ingest.arxiv import ArxivClient
from papershelf.ingest.arxiv_ids import ArxivRef
from papershelf.ingest.http import HttpFetcher
from tests.support import replay_server as replay
from tests.support.replay_server import FIXTURES_DIR, ReplayServer, Reply

replay_server = replay.replay_server

SMOLVLM = ArxivRef("2504.05299")
SMOLVLM_QUERY = "/api/query?id_list=2504.05299&max_results=1"


def arxiv_settings(api: ReplayServer, pdf: ReplayServer | None = None, **overrides) -> Settings:
    values = {
        "arxiv_api_url": api.url("/api/query"),
        "arxiv_pdf_url": (pdf or api).url("/pdf"),
        "arxiv_delay_s": 0.0,
        "http_timeout_s": 2.0,
        "http_retries": 1,
        "user_agent": "papershelf-test/1.0",
    }
    return Settings(**(values | overrides))


@pytest.fixture
def client(replay_server):
    with ArxivClient(arxiv_settings(replay_server)) as client:
        yield client


def tiny_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def atom(name: str, **options) -> Reply:
    return Reply.from_file(f"arxiv/{name}", **options)


def test_metadata_is_read_from_the_atom_entry(replay_server, client):
    replay_server.route(SMOLVLM_QUERY, atom("2504.05299.reconstructed.atom.xml"))

    meta = client.metadata(SMOLVLM)

    assert meta.arxiv_id == "2504.05299"
    assert meta.version == 1
    assert meta.title == "SmolVLM: Redefining small and efficient multimodal models"
    assert len(meta.authors) == 17
    assert meta.authors[:2] == ["Andrés Marafioti", "Orr Zohar"]
    assert meta.authors[-1] == "Thomas Wolf"
    assert meta.abstract.startswith("Large Vision-Language Models (VLMs) deliver exceptional")
    assert meta.abstract.endswith("deployments at significantly smaller scales.")
    assert meta.categories == ["cs.AI", "cs.CV"]
    assert meta.primary_category == "cs.AI"
    assert meta.published == date(2025, 4, 7)
    assert meta.updated == date(2025, 4, 7)
    assert (meta.doi, meta.journal_ref, meta.comment) == (None, None, None)
    assert meta.pdf_url == "https://arxiv.org/pdf/2504.05299v1"


def test_the_api_is_asked_for_exactly_one_entry_with_our_user_agent(replay_server, client):
    replay_server.route(SMOLVLM_QUERY, atom("2504.05299.reconstructed.atom.xml"))

    client.metadata(SMOLVLM)

    (request,) = replay_server.requests
    assert request.target == SMOLVLM_QUERY
    assert request.header("User-Agent") == "papershelf-test/1.0"


def test_a_requested_version_is_asked_for_and_reported(replay_server, client):
    replay_server.route(
        "/api/query?id_list=2501.09898v4&max_results=1",
        atom("2501.09898v4.reconstructed.atom.xml"),
    )

    meta = client.metadata(ArxivRef("2501.09898", 4))

    assert meta.version == 4
    assert meta.title == "FoundationStereo: Zero-Shot Stereo Matching"
    assert meta.authors[0] == "Bowen Wen"
    assert meta.categories == ["cs.CV", "cs.RO"]
    assert meta.published == date(2025, 1, 17)
    assert meta.updated == date(2025, 4, 7)
    assert "\n" not in meta.abstract
    assert "generalization - a hallmark of foundation models" in meta.abstract


def test_doi_journal_reference_and_comment_are_read_from_a_recorded_response(replay_server, client):
    replay_server.route("/api/query", atom("hep-ex_0307015+0710.5765.recorded.atom.xml"))

    meta = client.metadata(ArxivRef("hep-ex/0307015"))

    assert meta.arxiv_id == "hep-ex/0307015"
    assert meta.version == 1
    assert meta.authors == ["H1 Collaboration"]
    assert meta.doi == "10.1140/epjc/s2003-01326-x"
    assert meta.journal_ref == "Eur.Phys.J.C31:17-29,2003"
    assert meta.comment == "23 pages, 8 figures and 4 tables"
    assert meta.categories == ["hep-ex"]
    assert meta.published == date(2003, 7, 7)
    assert replay_server.requests[0].query == "id_list=hep-ex/0307015&max_results=1"


def test_the_entry_for_the_requested_id_is_picked_and_affiliations_are_not_authors(
    replay_server, client
):
    replay_server.route("/api/query", atom("hep-ex_0307015+0710.5765.recorded.atom.xml"))

    meta = client.metadata(ArxivRef("0710.5765"))

    assert meta.title.startswith("Halo Gas Cross Sections")
    assert meta.authors == ["G. G. Kacprzak", "C. W. Churchill", "C. C. Steidel", "M. T. Murphy"]
    assert "43 < R_x < 88 kpc" in meta.abstract
    assert meta.journal_ref is None


def test_an_id_arxiv_does_not_have_is_not_found(replay_server, client):
    replay_server.route("/api/query", atom("empty-feed.recorded.atom.xml"))

    with pytest.raises(NotFound) as error:
        client.metadata(ArxivRef("2512.99999"))

    assert str(error.value) == "arXiv has no paper 2512.99999; check the id"


def test_an_error_entry_from_arxiv_is_not_found(replay_server, client):
    replay_server.route(
        "/api/query?id_list=2504.5299&max_results=1",
        atom("incorrect-id-format-2504.5299.reconstructed.atom.xml", status=400),
    )

    with pytest.raises(NotFound, match=r"arXiv has no paper 2504\.5299"):
        client.metadata(ArxivRef("2504.5299"))
    assert len(replay_server.requests) == 1


def test_malformed_xml_from_arxiv_is_reported_as_unavailable(replay_server, client):
    recorded = (FIXTURES_DIR / "arxiv" / "2504.05299.reconstructed.atom.xml").read_bytes()
    replay_server.route(SMOLVLM_QUERY, Reply(body=recorded[: len(recorded) // 2]))

    with pytest.raises(SourceUnavailable, match=r"malformed XML for 2504\.05299"):
        client.metadata(SMOLVLM)


def test_an_html_page_instead_of_the_feed_is_reported_as_unavailable(replay_server, client):
    replay_server.route(SMOLVLM_QUERY, atom("pdf-replaced-by-html.reconstructed.html"))

    with pytest.raises(SourceUnavailable, match="arXiv answered with"):
        client.metadata(SMOLVLM)


def test_the_pdf_of_the_requested_version_is_downloaded(replay_server, client):
    pdf = tiny_pdf()
    replay_server.route(
        "/pdf/2504.05299v1", Reply(body=pdf, headers={"Content-Type": "application/pdf"})
    )

    assert client.pdf(SMOLVLM, 1) == pdf
    assert replay_server.requests[0].header("Accept") == "application/pdf"


def test_an_old_style_id_keeps_its_archive_in_the_pdf_path(replay_server, client):
    replay_server.route("/pdf/hep-th/9901001v2", Reply(body=tiny_pdf()))

    assert client.pdf(ArxivRef("hep-th/9901001", 2)).startswith(b"%PDF-")


@pytest.mark.corpus
def test_a_real_paper_pdf_comes_back_byte_for_byte(replay_server, client, corpus):
    real_pdf = (corpus / "pdf" / "1910.12607.pdf").read_bytes()
    replay_server.route("/pdf/1910.12607v1", Reply(body=real_pdf, chunked=True))

    assert client.pdf(ArxivRef("1910.12607", 1)) == real_pdf


def test_an_html_page_instead_of_the_pdf_is_reported(replay_server, client):
    replay_server.route("/pdf/2504.05299v1", atom("pdf-replaced-by-html.reconstructed.html"))

    with pytest.raises(SourceUnavailable) as error:
        client.pdf(SMOLVLM, 1)

    assert str(error.value) == (
        "arXiv returned an HTML page instead of the PDF for 2504.05299v1; "
        "it may be rate limiting or the paper may have no PDF"
    )


def test_a_missing_pdf_is_not_found(replay_server, client):
    replay_server.route("/pdf/2504.05299v9", Reply(status=404))

    with pytest.raises(NotFound):
        client.pdf(SMOLVLM, 9)


def test_fetch_returns_the_metadata_and_the_pdf_of_the_same_version(replay_server, client):
    pdf = tiny_pdf()
    replay_server.route(SMOLVLM_QUERY, atom("2504.05299.reconstructed.atom.xml"))
    replay_server.route("/pdf/2504.05299v1", Reply(body=pdf))

    meta, data = client.fetch(SMOLVLM)

    assert (meta.version, data) == (1, pdf)
    assert [r.path for r in replay_server.requests] == ["/api/query", "/pdf/2504.05299v1"]


def test_a_503_from_the_api_is_retried(replay_server):
    replay_server.route(SMOLVLM_QUERY, Reply(status=503), atom("2504.05299.reconstructed.atom.xml"))
    fetcher = HttpFetcher(arxiv_settings(replay_server), backoff_s=0.01)

    with fetcher, ArxivClient(fetcher.settings, fetcher) as client:
        assert client.metadata(SMOLVLM).version == 1
    assert len(replay_server.requests) == 2


def test_two_api_requests_are_spaced_by_the_arxiv_delay(replay_server):
    replay_server.route(SMOLVLM_QUERY, atom("2504.05299.reconstructed.atom.xml"))

    with ArxivClient(arxiv_settings(replay_server, arxiv_delay_s=0.2)) as client:
        client.metadata(SMOLVLM)
        client.metadata(SMOLVLM)

    first, second = replay_server.requests
    assert second.received_at - first.received_at >= 0.2


def test_the_api_and_pdf_hosts_share_one_arxiv_delay(replay_server):
    replay_server.route(SMOLVLM_QUERY, atom("2504.05299.reconstructed.atom.xml"))

    with ReplayServer() as pdf_host:
        pdf_host.route("/pdf/2504.05299v1", Reply(body=tiny_pdf()))
        settings = arxiv_settings(replay_server, pdf_host, arxiv_delay_s=0.2)
        with ArxivClient(settings) as client:
            client.fetch(SMOLVLM)
        (pdf_request,) = pdf_host.requests

    (api_request,) = replay_server.requests
    assert pdf_request.received_at - api_request.received_at >= 0.2


def test_an_old_style_id_with_a_subject_class_matches_arxivs_canonical_entry(replay_server, client):
    recorded = (FIXTURES_DIR / "arxiv" / "hep-ex_0307015+0710.5765.recorded.atom.xml").read_text()
    # arXiv files math.GT/0309136 under its canonical id math/0309136.
    renamed = recorded.replace("hep-ex/0307015", "math/0309136")
    replay_server.route("/api/query", Reply(body=renamed.encode()))

    meta = client.metadata(ArxivRef("math.GT/0309136"))

    assert meta.arxiv_id == "math/0309136"
    assert replay_server.requests[0].query == "id_list=math.GT/0309136&max_results=1"


def test_an_answer_about_another_paper_is_not_taken_for_the_requested_one(replay_server, client):
    replay_server.route("/api/query", atom("2504.05299.reconstructed.atom.xml"))

    with pytest.raises(SourceUnavailable, match=r"other papers than 2501\.09898"):
        client.metadata(ArxivRef("2501.09898"))
