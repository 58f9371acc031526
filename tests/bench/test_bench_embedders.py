"""bench_embedders on a machine without a second embedder: it says what to pass, writes nothing."""

import pytest

from bench import bench_embedders, report


def test_without_an_embedder_it_says_what_to_pass_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    monkeypatch.delenv("PAPERSHELF_BENCH_EMBEDDER", raising=False)
    monkeypatch.setattr(report, "BENCHMARKS_MD", tmp_path / "benchmarks.md")
    bench_embedders.main([])
    assert "--embedder st:<folder> or" in capsys.readouterr().out
    assert not (tmp_path / "benchmarks.md").exists()


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--embedder", "none", "--label", "a", "--label", "b"], "2 labels for 1 embedders"),
        (
            ["--embedder", "none", "--label", "Q8 run", "--embedder", "none", "--label", "q8-run"],
            "labels must differ",
        ),
    ],
)
def test_labels_that_would_share_a_library_folder_are_refused(
    arguments: list[str], complaint: str
) -> None:
    with pytest.raises(SystemExit, match=complaint):
        bench_embedders.main(arguments)
