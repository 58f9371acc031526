"""Result clean-up shared by every search mode: one place per piece of text."""

from papershelf.core.models import Passage


def drop_overlaps(
    candidates: list[tuple[Passage, float]], limit: int | None = None
) -> list[tuple[Passage, float]]:
    """Keep the better of two passages whose text spans overlap (consecutive chunks share a tail),
    so the top results never spend two places on the same text; stop at `limit` kept."""
    kept: list[tuple[Passage, float]] = []
    for passage, score in candidates:
        if limit is not None and len(kept) >= limit:
            break
        if not any(_overlap(passage, other) for other, _ in kept):
            kept.append((passage, score))
    return kept


def places_read(
    candidates: list[tuple[Passage, float]], kept: list[tuple[Passage, float]], limit: int
) -> int:
    """How many of the candidates `drop_overlaps(candidates, limit)` read to keep `kept`."""
    if len(kept) < limit or not kept:
        return len(candidates)
    last = kept[-1][0]
    return next(at for at, (passage, _) in enumerate(candidates, 1) if passage is last)


def _overlap(a: Passage, b: Passage) -> bool:
    if a.paper_id != b.paper_id:
        return False
    shared = min(a.char_end, b.char_end) - max(a.char_start, b.char_start)
    return shared > 0.5 * min(a.char_end - a.char_start, b.char_end - b.char_start)
