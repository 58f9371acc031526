"""bench_rerankers on a machine without a reranking model: it says what to pass, writes nothing;
and arguments it cannot run are refused before any work."""

import pytest

from bench import bench_rerankers, report


def test_without_a_reranker_it_says_what_to_pass_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    monkeypatch.delenv("PAPERSHELF_BENCH_RERANKER", raising=False)
    monkeypatch.setattr(report, "BENCHMARKS_MD", tmp_path / "benchmarks.md")
    bench_rerankers.main(["--no-cost"])
    assert "--reranker gguf:<file> or" in capsys.readouterr().out
    assert not (tmp_path / "benchmarks.md").exists()


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--reranker", "api:m", "--label", "a", "--label", "b"], "2 labels for 1 rerankers"),
        (["--reranker", "api:m", "--depth", "0"], "--depth must be at least 1"),
    ],
)
def test_arguments_it_cannot_run_are_refused(arguments: list[str], complaint: str) -> None:
    with pytest.raises(SystemExit, match=complaint):
        bench_rerankers.main(arguments)
