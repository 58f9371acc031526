"""The project's evaluation set: loading and validating questions, ingesting the corpus they are
asked over, and checking that every gold evidence string occurs in the text papershelf extracts.

Run: python -m bench.eval.check_evidence [--questions PATH]   (exit 1 names each failing question)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from papershelf.core.models import Passage
from papershelf.core.settings import Settings
from papershelf.core.tokens import CJK_CHAR
from papershelf.library import Library

EVAL_DIR = Path(__file__).resolve().parent
QUESTIONS = EVAL_DIR / "questions.jsonl"
# Questions written as Taiwan's researchers write them (README, "Questions in Taiwan's wording").
TAIWAN_QUESTIONS = EVAL_DIR / "taiwan.jsonl"
TUTORIAL_EXPORT = "docs/essay_database.ai_essay.json"
EXPORT_PREFIX = "export:"

LANGUAGES = ("en", "zh")
KINDS = ("factual", "numeric", "conceptual", "comparison", "definition")
SPLITS = ("dev", "test")
FIELDS = {
    "id",
    "question",
    "language",
    "evidence_language",
    "kind",
    "split",
    "doc",
    "also",
    "evidence",
    "note",
}
# Lines at which the second and third batches of questions begin (README.md): they were written
# at different stages of tuning, so recall is also reported for each batch.
BATCH_ENDS = (114, 158)
REQUIRED = ("id", "question", "language", "evidence_language", "kind", "split", "doc", "evidence")


@dataclass(frozen=True)
class Question:
    """One evaluation question with its gold documents and evidence strings."""

    id: str
    question: str
    language: str
    evidence_language: str
    kind: str
    split: str
    doc: str
    also: tuple[str, ...]
    evidence: tuple[str, ...]
    batch: str = ""  # "1", "2", "3": when it was written (README.md), from its line

    @property
    def docs(self) -> tuple[str, ...]:
        """Every corpus document a hit may come from: the same paper in each of its forms."""
        return (self.doc, *self.also)

    @property
    def cross_lingual(self) -> bool:
        return self.language != self.evidence_language

    @property
    def pairing(self) -> str:
        """'same-language', or the direction of a cross-lingual question, e.g. 'zh->en'."""
        return (
            "same-language"
            if not self.cross_lingual
            else f"{self.language}->{self.evidence_language}"
        )


# -- normalisation --------------------------------------------------------------------------------

_SOFT = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\ufeff"), None)
_HYPHEN_JOIN = re.compile(r"(?<=\w)[-\u2010\u2011]\s*(?=\w)")
_SPACE = re.compile(r"\s+")
_CJK_GAP = re.compile(rf"(?<=[{CJK_CHAR}])\s+|\s+(?=[{CJK_CHAR}])")


def normalise(text: str) -> str:
    """The form evidence is matched in: NFKC, case-folded, hyphens inside words dropped (so a
    line-break hyphenation 'repre- sentation' and a compound 'self-curation' both match however the
    extractor split them), and no whitespace at all (extractors disagree on spaces, CJK text has none)."""
    text = unicodedata.normalize("NFKC", text).translate(_SOFT).casefold()
    text = _HYPHEN_JOIN.sub("", text)
    return _SPACE.sub("", text)


def readable(text: str) -> str:
    """Whitespace collapsed (and dropped next to CJK), for messages and word counts."""
    text = unicodedata.normalize("NFKC", text)
    return _CJK_GAP.sub("", _SPACE.sub(" ", text)).strip()


def evidence_in(evidence: Iterable[str], text: str) -> bool:
    """Whether any evidence string occurs in text, after normalising both."""
    haystack = normalise(text)
    return any(normalise(e) in haystack for e in evidence)


# -- loading and validation -----------------------------------------------------------------------


def read_records(path: Path = QUESTIONS) -> list[dict]:
    records = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SystemExit(f"{path}:{n}: not JSON ({exc})") from exc
    return records


def schema_errors(records: Sequence[dict]) -> list[str]:
    """Every way the records break the schema of bench/eval/README.md, one message each."""
    errors: list[str] = []
    seen: set[str] = set()
    for n, rec in enumerate(records, 1):
        name = rec.get("id", f"line {n}")
        missing = [f for f in REQUIRED if f not in rec]
        unknown = sorted(set(rec) - FIELDS)
        if missing:
            errors.append(f"{name}: missing {', '.join(missing)}")
            continue
        if unknown:
            errors.append(f"{name}: unknown fields {', '.join(unknown)}")
        if name in seen:
            errors.append(f"{name}: duplicate id")
        seen.add(name)
        if rec["language"] not in LANGUAGES or rec["evidence_language"] not in LANGUAGES:
            errors.append(f"{name}: language and evidence_language must be one of {LANGUAGES}")
        if rec["kind"] not in KINDS:
            errors.append(f"{name}: kind {rec['kind']!r} is not one of {KINDS}")
        if rec["split"] not in SPLITS:
            errors.append(f"{name}: split {rec['split']!r} is not one of {SPLITS}")
        docs = [rec["doc"], *rec.get("also", [])]
        if not all(isinstance(d, str) and _doc_key_ok(d) for d in docs):
            errors.append(
                f"{name}: doc/also must name corpus files ('pdf/...', 'docs/...') or 'export:<arxiv id>'"
            )
        evidence = rec["evidence"]
        if not isinstance(evidence, list) or not 1 <= len(evidence) <= 3:
            errors.append(f"{name}: evidence must be a list of 1-3 strings")
            continue
        for e in evidence:
            if not isinstance(e, str) or not _evidence_size_ok(e):
                errors.append(
                    f"{name}: evidence {e!r} should be 5-15 words (two CJK characters count as one)"
                )
        question = rec["question"]
        if not isinstance(question, str) or len(question.strip()) < 6:
            errors.append(f"{name}: question too short")
        elif _looks_copied(question, evidence):
            errors.append(f"{name}: the question repeats its evidence verbatim; paraphrase it")
    return errors


def _doc_key_ok(key: str) -> bool:
    return key.startswith(("pdf/", "docs/")) or (
        key.startswith(EXPORT_PREFIX) and len(key) > len(EXPORT_PREFIX)
    )


def _evidence_size_ok(evidence: str) -> bool:
    """5-15 words, counting two CJK characters as a word (so mixed Chinese-English text works)."""
    text = readable(evidence)
    words = (
        len(re.findall(rf"[^\W{CJK_CHAR}]+", text)) + len(re.findall(rf"[{CJK_CHAR}]", text)) / 2
    )
    return 5 <= words <= 15


def _looks_copied(question: str, evidence: Sequence[str]) -> bool:
    q = normalise(question)
    return any(len(normalise(e)) >= 25 and normalise(e) in q for e in evidence)


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    records = read_records(path)
    errors = schema_errors(records)
    if errors:
        raise SystemExit("invalid evaluation set:\n  " + "\n  ".join(errors))
    return [
        Question(
            id=r["id"],
            question=r["question"],
            language=r["language"],
            evidence_language=r["evidence_language"],
            kind=r["kind"],
            split=r["split"],
            doc=r["doc"],
            also=tuple(r.get("also", ())),
            evidence=tuple(r["evidence"]),
            batch=str(1 + sum(line >= end for end in BATCH_ENDS)),
        )
        for line, r in enumerate(records)
    ]


# -- the corpus -----------------------------------------------------------------------------------


def corpus_files(corpus: Path) -> list[str]:
    """The corpus documents papershelf ingests with `add`, as keys ('pdf/x.pdf', 'docs/y.md')."""
    keys = [
        f"docs/{p.name}" for p in sorted((corpus / "docs").iterdir()) if p.suffix in {".md", ".txt"}
    ]
    return keys + [f"pdf/{p.name}" for p in sorted((corpus / "pdf").glob("*.pdf"))]


def ingest(
    library: Library, corpus: Path, keys: Iterable[str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Ingest the named corpus documents (all of them by default) and the tutorial export entries;
    return {doc key: paper id} and the failures as one line each."""
    wanted = set(keys) if keys is not None else None
    files = [k for k in corpus_files(corpus) if wanted is None or k in wanted]
    report = library.add([str(corpus / k) for k in files])
    by_label = {str(corpus / k): k for k in files}
    mapping = {by_label[r.source]: r.paper.id for r in report.results if r.source in by_label}
    failures = [f"{by_label.get(s, s)}: {e}" for s, e in report.failures]
    if wanted is None or any(k.startswith(EXPORT_PREFIX) for k in wanted):
        export = corpus / TUTORIAL_EXPORT
        entries = json.loads(export.read_text(encoding="utf-8"))
        by_oid = {_oid(e): f"{EXPORT_PREFIX}{e.get('arxiv_id', '')}" for e in entries}
        imported = library.import_tutorial(export)
        for result in imported.results:
            key = by_oid.get(result.paper.legacy_id or "")
            if key is not None:
                mapping[key] = result.paper.id
        failures += [f"{s}: {e}" for s, e in imported.failures]
    return mapping, failures


def _oid(entry: dict) -> str:
    value = entry.get("_id", "")
    return value.get("$oid", "") if isinstance(value, dict) else str(value)


def temporary_library(prefix: str = "papershelf-eval-") -> Library:
    return Library(Settings(home=Path(tempfile.mkdtemp(prefix=prefix))))


# -- the check ------------------------------------------------------------------------------------


def evidence_failures(
    questions: Sequence[Question], passages: dict[str, list[Passage]], contents: dict[str, str]
) -> list[str]:
    """One message per question whose evidence is missing from its documents' extracted text.

    passages and contents are keyed by doc key. Each evidence string must occur in one passage of
    one of the question's documents (text split across two passages could never be retrieved whole),
    and at least one must occur in the question's main document."""
    failures = []
    for q in questions:
        absent = [d for d in q.docs if d not in passages]
        if absent:
            failures.append(f"{q.id}: document(s) not ingested: {', '.join(absent)}")
            continue
        for e in q.evidence:
            if any(evidence_in([e], p.text) for d in q.docs for p in passages[d]):
                continue
            where = (
                "split across passages"
                if any(evidence_in([e], contents[d]) for d in q.docs)
                else "not found"
            )
            failures.append(f"{q.id}: evidence {e!r} {where} in {', '.join(q.docs)}")
        if not any(evidence_in([e], p.text) for e in q.evidence for p in passages[q.doc]):
            failures.append(f"{q.id}: no evidence string occurs in its main document {q.doc}")
    return failures


def extracted(
    library: Library, mapping: dict[str, str]
) -> tuple[dict[str, list[Passage]], dict[str, str]]:
    passages, contents = {}, {}
    for key, paper_id in mapping.items():
        document = library.get_document(paper_id)
        passages[key] = document.passages
        contents[key] = document.content
    return passages, contents


def main(argv: Sequence[str] | None = None) -> int:
    from bench.report import CORPUS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    args = parser.parse_args(argv)
    questions = load_questions(args.questions)
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}; set PAPERSHELF_CORPUS")
    needed = {d for q in questions for d in q.docs}
    with temporary_library() as library:
        mapping, ingest_failures = ingest(library, CORPUS, needed)
        passages, contents = extracted(library, mapping)
    failures = [f for f in ingest_failures if f.split(":", 1)[0] in needed]
    failures += evidence_failures(questions, passages, contents)
    for line in failures:
        print(line, file=sys.stderr)
    print(
        f"{len(questions)} questions, {sum(len(q.evidence) for q in questions)} evidence strings, "
        f"{len(failures)} failure(s)"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
