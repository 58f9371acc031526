"""Retrieval quality on the project's own evaluation set (bench/eval/questions.jsonl): recall@1/5/10
by language, language pairing, kind and split, for every search mode `Library.search` offers, and
the tokens of the top 5 passages against reading the whole paper.

Run: python -m bench.bench_retrieval [--mode all|lexical|dense|hybrid] [--split all|dev|test] [--verbose]
"""

from __future__ import annotations

import argparse
import inspect
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.eval.check_evidence import (
    QUESTIONS,
    TAIWAN_QUESTIONS,
    Question,
    evidence_failures,
    evidence_in,
    extracted,
    ingest,
    load_questions,
    readable,
    temporary_library,
)
from bench.eval.taiwan_texts import about_taiwan_texts, taiwan_corpus
from bench.eval.traditional import in_taiwan_vocabulary, in_traditional_script
from bench.report import CORPUS, median, percentile, table, write_section
from papershelf.core.errors import PapershelfError
from papershelf.core.models import Hit
from papershelf.core.tokens import count_tokens
from papershelf.library import Library
from papershelf.search.hybrid import Searcher

MODES = ("lexical", "dense", "hybrid")
NO_EMBEDDER = "lexical, no embedder"
KS = (1, 5, 10)
TOP_FOR_TOKENS = 5
TARGETS = "hybrid recall@5 >= 0.90 overall and >= 0.80 on zh->en questions; top-5 tokens <= 1/10 of the paper (median)"


@dataclass
class Outcome:
    """One question asked in one mode: the rank of the first relevant hit (None: not in the top 10)."""

    question: Question
    rank: int | None
    top_tokens: int
    paper_tokens: int
    seconds: float
    hits: list[Hit] = field(default_factory=list)

    @property
    def token_ratio(self) -> float:
        return self.top_tokens / self.paper_tokens if self.paper_tokens else float("nan")


def available_modes(library: Library) -> tuple[str, ...]:
    """The modes `Library.search` accepts: all three once it takes `mode`, else lexical only."""
    return MODES if "mode" in inspect.signature(library.search).parameters else ("lexical",)


def searcher(library: Library, mode: str) -> Callable[[str, int], list[Hit]]:
    if "mode" in inspect.signature(library.search).parameters:
        return lambda query, limit: library.search(query, limit=limit, mode=mode)  # type: ignore[call-arg]
    return lambda query, limit: library.search(query, limit=limit)


def first_relevant(hits: Sequence[Hit], question: Question, gold_ids: set[str]) -> int | None:
    """1-based rank of the first hit from a gold paper whose passage holds a gold evidence string."""
    for position, hit in enumerate(hits, 1):
        if hit.citation.paper_id in gold_ids and evidence_in(question.evidence, hit.passage.text):
            return position
    return None


def run_mode(
    search: Callable[[str, int], list[Hit]],
    questions: Sequence[Question],
    mapping: dict[str, str],
    paper_tokens: dict[str, int],
) -> list[Outcome]:
    outcomes = []
    for q in questions:
        gold_ids = {mapping[d] for d in q.docs if d in mapping}
        started = time.perf_counter()
        hits = search(q.question, max(KS))
        seconds = time.perf_counter() - started
        top = sum(count_tokens(h.passage.text) for h in hits[:TOP_FOR_TOKENS])
        outcomes.append(
            Outcome(
                q, first_relevant(hits, q, gold_ids), top, paper_tokens.get(q.doc, 0), seconds, hits
            )
        )
    return outcomes


def recall(outcomes: Sequence[Outcome], k: int) -> float:
    if not outcomes:
        return float("nan")
    return sum(1 for o in outcomes if o.rank is not None and o.rank <= k) / len(outcomes)


GROUPINGS = (
    ("language", "question in "),
    ("pairing", ""),
    ("kind", "kind: "),
    ("split", "split: "),
    ("batch", "batch "),
)


def groups(questions: Sequence[Question]) -> list[tuple[str, str, str]]:
    """The table's rows as (label, attribute, value): all, then by language, pairing, kind, split
    and batch, each with only the values present."""
    rows = [("all", "", "")]
    for attribute, prefix in GROUPINGS:
        values = sorted(
            {getattr(q, attribute) for q in questions}, key=lambda v: (v != "same-language", v)
        )
        rows += [(prefix + value, attribute, value) for value in values]
    return rows


def in_group(question: Question, attribute: str, value: str) -> bool:
    return not attribute or getattr(question, attribute) == value


def recall_table(questions: Sequence[Question], results: dict[str, list[Outcome]]) -> str:
    headers = ["questions", "n"] + [f"{mode} R@{k}" for mode in results for k in KS]
    rows = []
    for label, attribute, value in groups(questions):
        row: list[object] = [label, sum(in_group(q, attribute, value) for q in questions)]
        for outcomes in results.values():
            chosen = [o for o in outcomes if in_group(o.question, attribute, value)]
            row += [recall(chosen, k) for k in KS]
        rows.append(row)
    return table(headers, rows)


def cost_table(results: dict[str, list[Outcome]]) -> str:
    rows = []
    for mode, outcomes in results.items():
        ratios = [o.token_ratio for o in outcomes if o.paper_tokens]
        rows.append(
            [
                mode,
                median([o.top_tokens for o in outcomes]),
                median([o.paper_tokens for o in outcomes]),
                median(ratios),
                percentile(ratios, 90),
                median([o.seconds * 1000 for o in outcomes]),
                percentile([o.seconds * 1000 for o in outcomes], 95),
            ]
        )
    return table(
        [
            "mode",
            "top-5 tokens (median)",
            "whole-paper tokens (median)",
            "ratio (median)",
            "ratio p90",
            "search ms (median)",
            "search ms p95",
        ],
        rows,
    )


def script_table(
    results: dict[str, list[Outcome]],
    traditional: dict[str, list[Outcome]],
    taiwan: dict[str, list[Outcome]],
    written_in_taiwan: dict[str, list[Outcome]],
) -> str:
    rows = []
    for mode, outcomes in traditional.items():
        asked = [o for o in results[mode] if o.question.language == "zh"]
        for script, found in (
            ("simplified (as asked)", asked),
            ("traditional", outcomes),
            ("Taiwan vocabulary (OpenCC s2twp)", taiwan[mode]),
            ("written in Taiwan's wording (taiwan.jsonl)", written_in_taiwan[mode]),
        ):
            rows.append([mode, script, len(found), *(recall(found, k) for k in KS)])
    return table(["mode", "script", "n", *(f"R@{k}" for k in KS)], rows)


def taiwan_text_results(
    questions: Sequence[Question], modes: Sequence[str]
) -> tuple[dict[str, list[Outcome]], set[str]]:
    """Each mode's outcomes for the questions about the corpus's Chinese texts, asked of a library
    in which those texts are written in Taiwan's wording (bench/eval/taiwan_texts.py)."""
    with tempfile.TemporaryDirectory(prefix="papershelf-taiwan-texts-") as folder:
        converted = taiwan_corpus(CORPUS, Path(folder))
        asked = about_taiwan_texts(list(questions), converted)
        library = temporary_library("papershelf-bench-taiwan-texts-")
        try:
            mapping, _ = ingest(library, Path(folder))
            found = {mode: run_mode(searcher(library, mode), asked, mapping, {}) for mode in modes}
        finally:
            library.close()
    return found, converted


def taiwan_text_table(
    results: dict[str, list[Outcome]], in_taiwan: dict[str, list[Outcome]]
) -> str:
    rows = []
    for mode, found in in_taiwan.items():
        ids = {o.question.id for o in found}
        as_written = [o for o in results[mode] if o.question.id in ids]
        for texts, outcomes in (
            ("as written (simplified)", as_written),
            ("in Taiwan's wording", found),
        ):
            rows.append([mode, texts, len(outcomes), *(recall(outcomes, k) for k in KS)])
    return table(["mode", "the Chinese texts", "n", *(f"R@{k}" for k in KS)], rows)


def verdicts(results: dict[str, list[Outcome]]) -> list[str]:
    lines = []
    hybrid = results.get("hybrid")
    if hybrid is None:
        lines.append(
            "- hybrid: not available yet (`Library.search` has no `mode`), so the recall targets are not judged."
        )
    else:
        overall = recall(hybrid, 5)
        crossing = recall([o for o in hybrid if o.question.pairing == "zh->en"], 5)
        lines.append(
            f"- hybrid recall@5 overall {overall:.2f} (target 0.90): {'met' if overall >= 0.90 else 'NOT met'}"
        )
        lines.append(
            f"- hybrid recall@5 zh->en {crossing:.2f} (target 0.80): {'met' if crossing >= 0.80 else 'NOT met'}"
        )
    for mode, outcomes in results.items():
        ratio = median([o.token_ratio for o in outcomes if o.paper_tokens])
        lines.append(
            f"- {mode}: median top-5/whole-paper tokens {ratio:.3f} (target <= 0.10): "
            f"{'met' if ratio <= 0.10 else 'NOT met'}"
        )
    return lines


def misses(mode: str, outcomes: Sequence[Outcome], k: int = 5) -> str:
    lines = []
    for o in outcomes:
        if o.rank is not None and o.rank <= k:
            continue
        q = o.question
        found = f"rank {o.rank}" if o.rank else "not in top 10"
        lines.append(f"[{mode}] {q.id} ({q.pairing}, {q.kind}, {q.split}) {found}: {q.question}")
        lines.append(f"    gold {', '.join(q.docs)}: {q.evidence[0]!r}")
        for hit in o.hits[:3]:
            lines.append(
                f"    {hit.rank}. {hit.citation.render()} {readable(hit.passage.text)[:110]}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("all", *MODES), default="all")
    parser.add_argument("--split", choices=("all", "dev", "test"), default="all")
    parser.add_argument(
        "--verbose", action="store_true", help="print every question missed at rank 5"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}; set PAPERSHELF_CORPUS")

    questions = [q for q in load_questions(QUESTIONS) if args.split in ("all", q.split)]
    library = temporary_library("papershelf-bench-retrieval-")
    started = time.perf_counter()
    mapping, failures = ingest(library, CORPUS)
    ingest_s = time.perf_counter() - started
    passages, contents = extracted(library, mapping)
    for line in failures:
        print(f"not ingested: {line}")
    broken = evidence_failures(questions, passages, contents)
    for line in broken:
        print(f"evidence check: {line}")
    paper_tokens = {key: count_tokens(text) for key, text in contents.items()}

    offered = available_modes(library)
    wanted = [m for m in MODES if args.mode in ("all", m)]
    results: dict[str, list[Outcome]] = {}
    unavailable: list[str] = []
    for mode in wanted:
        if mode not in offered:
            unavailable.append(f"{mode} (Library.search has no `mode` parameter yet)")
            continue
        try:
            results[mode] = run_mode(searcher(library, mode), questions, mapping, paper_tokens)
        except (PapershelfError, ValueError, ImportError, NotImplementedError) as exc:
            unavailable.append(f"{mode} ({type(exc).__name__}: {exc})")
    if args.mode == "all":
        # What a library without an embedder (PAPERSHELF_EMBEDDER=none) answers: Chinese words
        # reach English text through the dictionary and glossary alone.
        plain = Searcher(library.store, None)
        try:
            results[NO_EMBEDDER] = run_mode(
                lambda query, limit: plain.search(query, limit=limit, mode="lexical"),
                questions,
                mapping,
                paper_tokens,
            )
        except (PapershelfError, ValueError, ImportError) as exc:
            unavailable.append(f"{NO_EMBEDDER} ({type(exc).__name__}: {exc})")
    traditional = {
        mode: run_mode(
            searcher(library, mode), in_traditional_script(questions), mapping, paper_tokens
        )
        for mode in results
        if mode in MODES
    }
    taiwan = {
        mode: run_mode(
            searcher(library, mode), in_taiwan_vocabulary(questions), mapping, paper_tokens
        )
        for mode in traditional
    }
    written_in_taiwan = {
        mode: run_mode(
            searcher(library, mode), load_questions(TAIWAN_QUESTIONS), mapping, paper_tokens
        )
        for mode in traditional
    }
    library.close()
    if not results:
        raise SystemExit("no search mode could run: " + "; ".join(unavailable))
    in_taiwan, converted = taiwan_text_results(questions, [m for m in results if m in MODES])

    n_zh = sum(q.language == "zh" for q in questions)
    n_cross = sum(q.pairing == "zh->en" for q in questions)
    body = (
        "## Retrieval quality (`bench/bench_retrieval.py`)\n\n"
        f"{len(questions)} questions of `bench/eval/questions.jsonl` (split: {args.split}; {n_zh} asked in Chinese, "
        f"{n_cross} of them about English text) over ../shared/corpus (docs, PDFs and the tutorial export: "
        f"{len(mapping)} documents, {sum(len(p) for p in passages.values())} passages, ingested in {ingest_s:.0f} s). "
        "A question counts as found at k when one of the top k hits comes from one of its gold documents and "
        "its passage contains a gold evidence string (after normalising case, width, hyphenation and spaces). "
        f"'{NO_EMBEDDER}' is lexical search in a library with `PAPERSHELF_EMBEDDER=none`.\n\n"
        f"{recall_table(questions, results)}\n\n"
        "### Tokens: top-5 passages against the whole paper\n\n"
        "Per question, the estimated tokens (`count_tokens`) of the top 5 passages over those of the full "
        "extracted text of the question's paper.\n\n"
        f"{cost_table(results)}\n\n"
        "### Chinese questions in traditional script\n\n"
        f"The {n_zh} Chinese questions written in traditional script (each character as CC-CEDICT "
        "pairs it most often; `bench/eval/traditional.py`), and as OpenCC's s2twp writes them "
        "(traditional script and Taiwan's words: 軟體 for 软件, 資料 for 数据, 網路 for 网络), "
        "against the same questions as asked. The search's Taiwan word table comes from OpenCC "
        "too, so that row is optimistic; the last row is 30 other questions, written in Taiwan's "
        "own wording (`bench/eval/taiwan.jsonl`):"
        "\n\n"
        f"{script_table(results, traditional, taiwan, written_in_taiwan)}\n\n"
        "### Chinese texts written in Taiwan's wording\n\n"
        f"The {len(next(iter(in_taiwan.values()), []))} questions about the corpus's Chinese text "
        f"documents ({', '.join(sorted(converted))}), asked as written (simplified Chinese or "
        "English) of the library above and of one in which those documents are written in "
        "Taiwan's wording by OpenCC's s2twp (`bench/eval/taiwan_texts.py`; their evidence "
        "strings converted alike). The search's Taiwan word table comes from OpenCC too, so the "
        "second row is optimistic.\n\n"
        f"{taiwan_text_table(results, in_taiwan)}\n\n"
        f"### Targets ({TARGETS})\n\n" + "\n".join(verdicts(results)) + "\n"
    )
    if unavailable:
        body += "\nNot run: " + "; ".join(unavailable) + ".\n"
    if broken:
        body += f"\n{len(broken)} evidence check failure(s): run `python -m bench.eval.check_evidence`.\n"
    print(body)
    if args.verbose:
        for mode, outcomes in results.items():
            print(misses(mode, outcomes))
    if args.split == "all" and args.mode == "all" and not args.no_write:
        write_section("retrieval", body)


if __name__ == "__main__":
    main()
