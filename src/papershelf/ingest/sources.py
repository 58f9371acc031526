"""Turn what a user typed (ids, URLs, paths, globs, folders) into a de-duplicated list of sources."""

import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from papershelf.core.errors import InputError
from papershelf.ingest.arxiv_ids import ArxivRef, is_arxiv_like, parse_arxiv_reference

DOCUMENT_SUFFIXES = (".pdf", ".md", ".markdown", ".txt", ".text", ".html", ".htm")


@dataclass(frozen=True)
class Source:
    """One thing to ingest: an arXiv paper, a local file or a URL."""

    kind: Literal["arxiv", "file", "url"]
    label: str
    arxiv: ArxivRef | None = None
    path: Path | None = None
    url: str | None = None

    @property
    def key(self) -> str:
        if self.arxiv is not None:
            return f"arxiv:{self.arxiv.id}"
        if self.path is not None:
            return f"file:{self.path}"
        return f"url:{self.url}"


@dataclass
class ResolvedInputs:
    sources: list[Source] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


def resolve_inputs(inputs: list[str]) -> ResolvedInputs:
    """Expand every input; an input that cannot be used becomes a failure, not an exception."""
    resolved = ResolvedInputs()
    seen: dict[str, int] = {}
    for raw in inputs:
        try:
            found = _resolve_one(raw.strip())
        except InputError as exc:
            resolved.failures.append((raw, str(exc)))
            continue
        for source in found:
            if source.key in seen:
                _keep_newest_version(resolved.sources, seen[source.key], source)
                continue
            seen[source.key] = len(resolved.sources)
            resolved.sources.append(source)
    return resolved


def _keep_newest_version(sources: list[Source], index: int, candidate: Source) -> None:
    kept = sources[index]
    if (
        kept.arxiv
        and candidate.arxiv
        and (candidate.arxiv.version or 10**6) > (kept.arxiv.version or 10**6)
    ):
        sources[index] = candidate


def _resolve_one(raw: str) -> list[Source]:
    if not raw:
        raise InputError("empty input: give an arXiv id, a URL, a file, a folder or a glob")
    if raw.startswith(("http://", "https://")):
        ref = parse_arxiv_reference(raw)
        if ref is not None:
            return [Source(kind="arxiv", label=raw, arxiv=ref)]
        if is_arxiv_like(raw):
            raise InputError(
                f"{raw!r} is an arXiv URL without a valid paper id (e.g. https://arxiv.org/abs/2504.05299)"
            )
        return [Source(kind="url", label=raw, url=raw)]
    path = Path(raw).expanduser()
    if path.exists():
        return _from_path(raw, path)
    if any(ch in raw for ch in "*?["):
        matches = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
        if not matches:
            raise InputError(f"no files match {raw!r}")
        return [s for match in matches for s in _from_path(str(match), match, quiet=True)]
    ref = parse_arxiv_reference(raw)
    if ref is not None:
        return [Source(kind="arxiv", label=raw, arxiv=ref)]
    if is_arxiv_like(raw):
        raise InputError(
            f"{raw!r} is not a valid arXiv id (expected forms like 2504.05299, 2504.05299v2, hep-th/9901001)"
        )
    raise InputError(f"no such file or directory: {raw} (and it is not an arXiv id or URL)")


def _from_path(label: str, path: Path, *, quiet: bool = False) -> list[Source]:
    if path.is_dir():
        files = sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES and not _hidden(p, path)
        )
        if not files:
            if quiet:
                return []
            raise InputError(
                f"no documents in folder {label} (looked for {', '.join(DOCUMENT_SUFFIXES)} recursively)"
            )
        return [Source(kind="file", label=str(p), path=p.resolve()) for p in files]
    if not path.is_file():
        if quiet:  # one odd entry (a dangling link, a FIFO) in a glob does not sink the rest
            return []
        raise InputError(f"{label} is not a regular file")
    return [Source(kind="file", label=label, path=path.resolve())]


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)
