"""bench_embedders on a machine without a second embedder: it says what to pass, writes nothing."""

import pytest

from bench import bench_embedders, report


def test_without_an_embedder_it_says_what_to_pass_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    monkeypatch.delenv("PAPERSHELF_BENCH_EMBEDDER", raising=False)
    monkeypatch.setattr(report, "BENCHMARKS_MD", tmp_path / "benchmarks.md")
    bench_embedders.main([])
    assert "--embedder st:<folder>" in capsys.readouterr().out
    assert not (tmp_path / "benchmarks.md").exists()
