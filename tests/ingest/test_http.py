import itertools
import threading

import pytest

from papershelf.core.errors import InputError, NotFound, SourceUnavailable
from papershelf.core.settings import Settings
from papershelf.ingest.http import MIB, HttpFetcher, fetch_document
from tests.support import replay_server as replay
from tests.support.replay_server import ReplayServer, Reply, closed_port_url

replay_server = replay.replay_server


def quick_settings(**overrides) -> Settings:
    values = {"http_timeout_s": 2.0, "http_retries": 2, "arxiv_delay_s": 0.0}
    return Settings(**(values | overrides))


@pytest.fixture
def fetcher():
    with HttpFetcher(quick_settings(), backoff_s=0.01) as fetcher:
        yield fetcher


def test_a_page_is_fetched_with_its_status_content_type_and_body(replay_server, fetcher):
    replay_server.route("/notes.md", Reply.text("# Notes\n", content_type="text/markdown"))

    result = fetcher.get(replay_server.url("/notes.md"))

    assert result.status == 200
    assert result.content_type == "text/markdown"
    assert result.data == b"# Notes\n"
    assert result.url == replay_server.url("/notes.md")


def test_the_user_agent_and_accept_header_are_sent(replay_server):
    replay_server.route("/paper.pdf", Reply(body=b"%PDF-1.7\n"))
    settings = quick_settings(user_agent="papershelf-test/1.0 (+mailto:test@example.org)")

    with HttpFetcher(settings) as fetcher:
        fetcher.get(replay_server.url("/paper.pdf"), accept="application/pdf")

    (request,) = replay_server.requests
    assert request.header("User-Agent") == "papershelf-test/1.0 (+mailto:test@example.org)"
    assert request.header("Accept") == "application/pdf"


def test_a_gzip_encoded_body_is_decoded(replay_server, fetcher):
    replay_server.route("/feed.xml", Reply.text("<feed/>" * 100, gzip=True))

    assert fetcher.get(replay_server.url("/feed.xml")).data == b"<feed/>" * 100


def test_a_503_is_retried_until_the_server_answers(replay_server, fetcher):
    replay_server.route("/flaky", Reply(status=503), Reply.text("finally"))

    result = fetcher.get(replay_server.url("/flaky"))

    assert result.data == b"finally"
    assert len(replay_server.requests) == 2


def test_a_server_that_keeps_failing_is_reported_with_its_status_after_the_retries(
    replay_server, fetcher
):
    replay_server.route("/down", Reply(status=502))

    with pytest.raises(SourceUnavailable, match="HTTP 502"):
        fetcher.get(replay_server.url("/down"))
    assert len(replay_server.requests) == 3  # the first try and http_retries=2 more


def test_a_429_waits_as_long_as_retry_after_asks_up_to_the_cap(replay_server):
    replay_server.route(
        "/busy", Reply(status=429, headers={"Retry-After": "2"}), Reply.text("served")
    )

    with HttpFetcher(quick_settings(), backoff_s=0.01, max_retry_after_s=0.3) as fetcher:
        assert fetcher.get(replay_server.url("/busy")).data == b"served"

    first, second = replay_server.requests
    waited = second.received_at - first.received_at
    assert 0.3 <= waited < 1.5  # Retry-After, not the 0.01 s backoff, and capped below 2 s


def test_a_persistent_429_says_the_host_is_rate_limiting(replay_server, fetcher):
    replay_server.route("/busy", Reply(status=429, headers={"Retry-After": "0"}))

    with pytest.raises(SourceUnavailable, match=r"127\.0\.0\.1 is rate limiting"):
        fetcher.get(replay_server.url("/busy"))


def test_a_404_is_not_found_and_is_not_retried(replay_server, fetcher):
    replay_server.route("/missing.pdf", Reply(status=404))

    with pytest.raises(NotFound, match="HTTP 404"):
        fetcher.get(replay_server.url("/missing.pdf"))
    assert len(replay_server.requests) == 1


def test_other_client_errors_are_reported_without_retrying(replay_server, fetcher):
    replay_server.route("/forbidden", Reply(status=403))

    with pytest.raises(SourceUnavailable, match="HTTP 403"):
        fetcher.get(replay_server.url("/forbidden"))
    assert len(replay_server.requests) == 1


def test_an_allowed_error_status_is_returned_instead_of_raised(replay_server, fetcher):
    replay_server.route("/query", Reply.text("<feed/>", status=400))

    result = fetcher.get(replay_server.url("/query"), allow_status={400})

    assert (result.status, result.data) == (400, b"<feed/>")


def test_a_server_slower_than_the_timeout_is_reported_as_timed_out(replay_server):
    replay_server.route("/slow", Reply.text("late", delay_s=3.0))
    settings = quick_settings(http_timeout_s=0.2, http_retries=1)
    url = replay_server.url("/slow")

    with (
        HttpFetcher(settings, backoff_s=0.01) as fetcher,
        pytest.raises(SourceUnavailable) as error,
    ):
        fetcher.get(url)

    assert str(error.value) == (
        f"timed out after 0.2 s fetching {url}; "
        "check your network or raise PAPERSHELF_HTTP_TIMEOUT_S"
    )
    assert len(replay_server.wait_for_requests(2)) == 2


def test_a_refused_connection_names_the_host(fetcher):
    with pytest.raises(SourceUnavailable, match=r"cannot connect to 127\.0\.0\.1"):
        fetcher.get(closed_port_url("/paper.pdf"))


def test_an_unknown_host_is_reported_by_name():
    with (
        HttpFetcher(quick_settings(http_retries=0)) as fetcher,
        pytest.raises(SourceUnavailable, match=r"no-such-host\.invalid"),
    ):
        fetcher.get("http://no-such-host.invalid/paper.pdf")


@pytest.mark.parametrize("url", ["ftp://example.org/paper.pdf", "file:///etc/passwd", "paper.pdf"])
def test_only_http_and_https_urls_are_fetched(fetcher, url):
    with pytest.raises(InputError, match="not an http"):
        fetcher.get(url)


def test_a_body_declared_larger_than_the_limit_is_refused(replay_server, fetcher):
    replay_server.route("/big.pdf", Reply(body=b"x" * 4096))

    with pytest.raises(InputError, match="larger than"):
        fetcher.get(replay_server.url("/big.pdf"), max_bytes=1024)
    assert len(replay_server.requests) == 1


def test_a_streamed_body_growing_past_the_limit_is_refused(replay_server):
    replay_server.route("/huge.pdf", Reply(body=b"x" * (MIB + 1), chunked=True))

    with (
        HttpFetcher(quick_settings(max_download_mb=1)) as fetcher,
        pytest.raises(InputError, match="raise PAPERSHELF_MAX_DOWNLOAD_MB"),
    ):
        fetcher.get(replay_server.url("/huge.pdf"))


def test_requests_to_arxiv_are_spaced_by_the_arxiv_delay_even_from_threads(replay_server):
    replay_server.route("/api/query", Reply.text("<feed/>"))
    settings = quick_settings(arxiv_api_url=replay_server.url("/api/query"), arxiv_delay_s=0.2)

    with HttpFetcher(settings) as fetcher:
        threads = [
            threading.Thread(target=fetcher.get, args=(replay_server.url("/api/query"),))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)

    arrivals = sorted(request.received_at for request in replay_server.requests)
    assert len(arrivals) == 3
    assert all(later - earlier >= 0.2 for earlier, later in itertools.pairwise(arrivals))


def test_other_hosts_are_not_held_back_by_the_arxiv_delay(replay_server):
    replay_server.route("/page.html", Reply.text("<p>hi</p>"))

    with HttpFetcher(quick_settings(arxiv_delay_s=5.0)) as fetcher:
        for _ in range(3):
            fetcher.get(replay_server.url("/page.html"))

    arrivals = [request.received_at for request in replay_server.requests]
    assert arrivals[-1] - arrivals[0] < 2.0


def test_fetch_document_asks_for_document_types(replay_server):
    replay_server.route("/post.html", Reply.text("<h1>Post</h1>", content_type="text/html"))

    result = fetch_document(replay_server.url("/post.html"), quick_settings())

    assert result.content_type == "text/html"
    assert "application/pdf" in replay_server.requests[0].header("Accept")


def test_a_second_replay_host_is_a_separate_server():
    with ReplayServer() as first, ReplayServer() as second:
        assert first.base_url != second.base_url


def test_a_url_check_sees_every_request_and_can_refuse_one(replay_server):
    seen: list[str] = []

    def refuse_secret(url: str) -> None:
        seen.append(url)
        if "secret" in url:
            raise InputError(f"refused {url}")

    replay_server.route("/open", Reply(status=302, headers={"Location": "/secret"}))
    replay_server.route("/secret", Reply.text("hidden"))
    fetcher = HttpFetcher(Settings(http_retries=0), check_url=refuse_secret)
    with fetcher, pytest.raises(InputError, match="refused"):
        fetcher.get(replay_server.url("/open"))
    assert [u.rsplit("/", 1)[1] for u in seen] == ["open", "secret"]
    assert replay_server.requests_to("/secret") == []
