"""Copying a library from one store to another (SQLite <-> MongoDB, or SQLite -> SQLite), verified
by counts and checksums.

Works through the `Store` protocol only. Passage keys belong to each store, so vectors travel by
(paper id, passage ordinal). The protocol cannot list the embedder ids vectors were stored under:
the caller names them (the configured embedder's, plus any given); vectors under other ids are
counted and reported as not copied.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from papershelf.core.errors import ConfigError, InputError, StoreError
from papershelf.core.models import Document
from papershelf.core.settings import Settings
from papershelf.embeddings.factory import make_embedder, make_word_embedder
from papershelf.library import Library
from papershelf.library_adopt import foreign_record_count
from papershelf.search.indexing import vector_space
from papershelf.storage.base import Store, VectorSet
from papershelf.storage.factory import open_store
from papershelf.storage.mongo_uri import redact, server_identity

# No vector is ever stored under this id, so "passages missing its vector" lists every passage
# of a paper with its store key.
_NO_EMBEDDER = "papershelf-migrate:no-such-embedder"
_ALL_TERMS = 1_000_000_000
_PAGE = 500

MigrationProgress = Callable[[int, int, str], None]  # (papers copied, papers in all, paper id)


@dataclass
class MigrationReport:
    """What was copied, and what the verification found (empty lists: the copy is exact)."""

    papers: int = 0
    passages: int = 0
    vectors: dict[str, int] = field(default_factory=dict)  # embedder id -> vectors copied
    term_vectors: dict[str, int] = field(default_factory=dict)
    replaced: list[str] = field(default_factory=list)  # target papers with a source paper's id
    kept: int = 0  # target papers not in the source, left as they were
    kept_records: int = 0  # target records the tutorial's scripts wrote, left as they were
    uncopied_vectors: int = 0  # source vectors under embedder ids nobody named
    mismatches: list[str] = field(default_factory=list)  # paper ids whose copy differs
    problems: list[str] = field(default_factory=list)  # counts or term vectors that differ

    @property
    def verified(self) -> bool:
        return not self.mismatches and not self.problems


def migrate_library(
    settings: Settings,
    to_uri: str,
    *,
    from_uri: str | None = None,
    merge: bool = False,
    embedder_ids: Sequence[str] = (),
    progress: MigrationProgress | None = None,
) -> MigrationReport:
    """Copy the library at `from_uri` (default: the configured store) into the store at `to_uri`,
    with the vectors of the configured embedder and of `embedder_ids`, then verify the copy."""
    source_settings = _settings_for(settings, from_uri or settings.store)
    target_settings = _settings_for(settings, to_uri)
    if _identity(source_settings) == _identity(target_settings):
        raise InputError(
            f"the source and the target are the same store ({display_uri(to_uri)}); "
            "name another target with --to"
        )
    if source_settings.store_kind == "sqlite" and not source_settings.sqlite_path.is_file():
        raise InputError(
            f"no library at {source_settings.sqlite_path}: nothing to migrate "
            "(check --from or PAPERSHELF_STORE)"
        )
    ids = list(dict.fromkeys([*configured_embedder_ids(settings), *embedder_ids]))
    # Opened as a library, as every command opens one: records the tutorial's scripts wrote into
    # a MongoDB source become papers first (indexed and embedded in place), so they are copied.
    source = Library(source_settings)
    try:
        target = open_store(target_settings)
        try:
            return copy_library(
                source.store,
                target,
                ids,
                word_ids=configured_word_ids(settings),
                merge=merge,
                progress=progress,
            )
        finally:
            target.close()
    finally:
        source.close()


def configured_embedder_ids(settings: Settings) -> list[str]:
    """The id the configured embedder's vectors are stored under (none when it is 'none')."""
    embedder = make_embedder(settings)
    return [] if embedder is None else [vector_space(embedder)]


def configured_word_ids(settings: Settings) -> list[str]:
    """The id the lexicon's word vectors are stored under: the built-in model's whenever dense
    search is on (Library.word_embedder), whatever embeds the passages."""
    words = make_word_embedder(settings, make_embedder(settings))
    return [] if words is None else [vector_space(words)]


def copy_library(
    source: Store,
    target: Store,
    embedder_ids: Sequence[str],
    *,
    word_ids: Sequence[str] = (),
    merge: bool = False,
    progress: MigrationProgress | None = None,
) -> MigrationReport:
    """Copy every paper of `source` with its vectors under `embedder_ids` and the term vectors
    under those and `word_ids`, then compare source and target paper by paper. The source is only
    read.

    A target that holds papers is refused unless `merge`: then papers with a source paper's id
    are replaced and the others kept, which also finishes an interrupted copy."""
    existing = target.count()
    foreign = foreign_record_count(target)
    if (existing or foreign) and not merge:
        held = [f"{existing} paper(s)"] if existing else []
        if foreign:
            held.append(
                f"{foreign} record(s) the tutorial's scripts wrote (papershelf indexes them when "
                "it opens that library)"
            )
        raise InputError(
            f"the target already holds {' and '.join(held)}; use --merge to replace the papers "
            "with the same ids and keep everything else (also the way to finish an interrupted "
            "run)"
        )
    paper_ids = _all_paper_ids(source)
    report = MigrationReport()
    report.replaced = [pid for pid in paper_ids if existing and target.get(pid) is not None]
    report.kept = existing - len(report.replaced)
    source_vectors = {e: _Vectors.load(source, e) for e in embedder_ids}
    paper_ids = _in_stored_order(paper_ids, source_vectors.values())
    expected: dict[str, tuple[str, str]] = {}
    for done, paper_id in enumerate(paper_ids, 1):
        document = source.get_document(paper_id)
        if document is None:
            continue  # removed from the source meanwhile
        try:
            copied = _copy_paper(source, target, document, source_vectors)
        except StoreError as exc:
            raise StoreError(
                f"cannot copy {paper_id}: {exc}; {done - 1} of {len(paper_ids)} paper(s) were "
                "copied: fix the cause and run again with --merge to finish"
            ) from exc
        expected[paper_id] = (document_checksum(document), vectors_checksum(copied))
        report.papers += 1
        report.passages += len(document.passages)
        for embedder_id, rows in copied.items():
            report.vectors[embedder_id] = report.vectors.get(embedder_id, 0) + len(rows)
        covered = {ordinal for rows in copied.values() for ordinal in rows}
        report.uncopied_vectors += sum(
            p.vector is not None and p.ordinal not in covered for p in document.passages
        )
        if progress is not None:
            progress(done, len(paper_ids), paper_id)
    term_ids = list(dict.fromkeys([*embedder_ids, *word_ids]))
    for embedder_id in embedder_ids:
        report.vectors.setdefault(embedder_id, 0)
    for term_id in term_ids:
        report.term_vectors[term_id] = _copy_term_vectors(source, target, term_id)
    _verify(source, target, embedder_ids, expected, report)
    for term_id in term_ids:
        report.problems.extend(_term_vector_differences(source, target, term_id))
    report.kept_records = foreign_record_count(target)  # less those a copied paper took over
    return report


def document_checksum(document: Document) -> str:
    """sha256 of the document as canonical JSON, without passage vectors."""
    data = document.model_dump(mode="json", exclude={"passages": {"__all__": {"vector"}}})
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def vectors_checksum(by_embedder: dict[str, dict[int, bytes]]) -> str:
    """sha256 over one paper's vectors: embedder id, passage ordinal and float32 bytes, in order."""
    digest = hashlib.sha256()
    for embedder_id in sorted(by_embedder):
        for ordinal, vector in sorted(by_embedder[embedder_id].items()):
            digest.update(f"{embedder_id}\0{ordinal}\0".encode())
            digest.update(vector)
    return digest.hexdigest()


display_uri = redact  # the URI without its password, fit for messages and output


class _Vectors:
    """One embedder's vectors of a store, grouped by paper: row indices into the matrix."""

    def __init__(self, vectors: VectorSet | None):
        self.set = vectors
        self.rows: dict[str, list[int]] = defaultdict(list)
        if vectors is not None:
            for row, paper_id in enumerate(vectors.paper_ids):
                self.rows[str(paper_id)].append(row)

    @classmethod
    def load(cls, store: Store, embedder_id: str) -> _Vectors:
        return cls(store.vectors(embedder_id))

    def of_paper(self, store: Store, paper_id: str) -> dict[int, bytes]:
        """The paper's vectors by passage ordinal."""
        rows = self.rows.get(paper_id, [])
        if self.set is None or not rows:
            return {}
        keys = [int(self.set.keys[row]) for row in rows]
        passages = store.get_passages(keys)
        return {
            passages[key].ordinal: np.asarray(self.set.matrix[row], dtype=np.float32).tobytes()
            for key, row in zip(keys, rows, strict=True)
            if key in passages
        }


def _all_paper_ids(store: Store) -> list[str]:
    ids: list[str] = []
    while True:
        page = store.list(limit=_PAGE, offset=len(ids))
        ids.extend(paper.id for paper in page)
        if len(page) < _PAGE:
            return list(dict.fromkeys(ids))


def _in_stored_order(paper_ids: list[str], vectors: Iterable[_Vectors]) -> list[str]:
    """The papers in the order their passages were stored in the source (as far as the vectors
    tell it; papers without any last): the target's passage keys then keep the source's order,
    and both stores rank passages of equal score alike (each breaks ties by its keys)."""
    first: dict[str, int] = {}
    for found in vectors:
        if found.set is None:
            continue
        for key, paper_id in zip(found.set.keys, found.set.paper_ids, strict=True):
            first[str(paper_id)] = min(first.get(str(paper_id), int(key)), int(key))
    return sorted(paper_ids, key=lambda paper_id: (paper_id not in first, first.get(paper_id, 0)))


def _keys_by_ordinal(store: Store, paper_id: str, passages: int) -> dict[int, int]:
    pending = store.passages_missing_vectors(_NO_EMBEDDER, limit=passages, paper_ids=[paper_id])
    found = store.get_passages([p.key for p in pending])
    return {passage.ordinal: key for key, passage in found.items()}


def _copy_paper(
    source: Store, target: Store, document: Document, source_vectors: dict[str, _Vectors]
) -> dict[str, dict[int, bytes]]:
    """Put the paper into the target and give it the source's vectors; the vectors copied, by
    embedder id and ordinal."""
    paper_id = document.paper.id
    bare = document.model_copy(
        update={"passages": [p.model_copy(update={"vector": None}) for p in document.passages]}
    )
    target.put(bare)
    copied = {e: v.of_paper(source, paper_id) for e, v in source_vectors.items()}
    if any(copied.values()):
        target_keys = _keys_by_ordinal(target, paper_id, len(document.passages))
        for embedder_id, by_ordinal in copied.items():
            ordinals = [o for o in by_ordinal if o in target_keys]
            if ordinals:
                matrix = np.stack([np.frombuffer(by_ordinal[o], np.float32) for o in ordinals])
                target.set_vectors(embedder_id, [target_keys[o] for o in ordinals], matrix)
    return {e: rows for e, rows in copied.items() if rows}


def _copy_term_vectors(source: Store, target: Store, embedder_id: str) -> int:
    terms = source.term_vectors(embedder_id, min_df=1, limit=_ALL_TERMS)
    if terms is None or not terms.terms:
        return 0
    return target.set_term_vectors(embedder_id, terms.terms, terms.matrix)


def _verify(
    source: Store,
    target: Store,
    embedder_ids: Sequence[str],
    expected: dict[str, tuple[str, str]],
    report: MigrationReport,
) -> None:
    target_vectors = {e: _Vectors.load(target, e) for e in embedder_ids}
    papers = passages = 0
    vectors: dict[str, int] = dict.fromkeys(embedder_ids, 0)
    for paper_id, (document_sum, vector_sum) in expected.items():
        document = target.get_document(paper_id)
        if document is None:
            report.mismatches.append(paper_id)
            continue
        papers += 1
        passages += len(document.passages)
        copied = {e: v.of_paper(target, paper_id) for e, v in target_vectors.items()}
        for embedder_id, rows in copied.items():
            vectors[embedder_id] += len(rows)
        copied = {e: rows for e, rows in copied.items() if rows}
        if document_checksum(document) != document_sum or vectors_checksum(copied) != vector_sum:
            report.mismatches.append(paper_id)
    _compare("papers", report.papers, papers, report)
    _compare("passages", report.passages, passages, report)
    for embedder_id in embedder_ids:
        _compare(
            f"vectors of {embedder_id}", report.vectors[embedder_id], vectors[embedder_id], report
        )


def _compare(what: str, in_source: int, in_target: int, report: MigrationReport) -> None:
    if in_source != in_target:
        report.problems.append(f"{what}: {in_source} in the source, {in_target} in the target")


def _term_vector_differences(source: Store, target: Store, embedder_id: str) -> Iterable[str]:
    wanted = source.term_vectors(embedder_id, min_df=1, limit=_ALL_TERMS)
    if wanted is None or not wanted.terms:
        return []
    found = target.term_vectors(embedder_id, min_df=1, limit=_ALL_TERMS)
    have = {} if found is None else dict(zip(found.terms, found.matrix, strict=True))
    differing = [
        term
        for term, row in zip(wanted.terms, wanted.matrix, strict=True)
        if term not in have or not np.array_equal(have[term], row)
    ]
    if not differing:
        return []
    shown = ", ".join(differing[:5]) + (" ..." if len(differing) > 5 else "")
    return [f"term vectors of {embedder_id}: {len(differing)} differ or are missing ({shown})"]


def _settings_for(settings: Settings, uri: str) -> Settings:
    chosen = settings.model_copy(update={"store": uri.strip()})
    # store_kind raises ConfigError for an unknown scheme, before anything is opened.
    if chosen.store_kind == "sqlite" and not uri.strip().removeprefix("sqlite:///"):
        raise ConfigError(f"store URI {uri!r} names no file: use sqlite:///path/to/file.db")
    return chosen


def _identity(settings: Settings) -> tuple[str, ...]:
    if settings.store_kind == "sqlite":
        return ("sqlite", str(settings.sqlite_path.resolve()))
    store = server_identity(settings.store)
    return ("mongodb", store, settings.db_name, settings.collection_name)
