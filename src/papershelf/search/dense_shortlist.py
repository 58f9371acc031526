"""A first pass over a large passage matrix in fewer dimensions, so that the exact product reads
only a shortlist of rows.

The exact product reads every vector (10^5 x 512 float32 is 205 MB, ~10 ms on 2 cores and ~17 ms
on one, bound by memory). Projected on the library's 128 principal directions, the vectors take a
quarter of that; the rows that score best there (2,000 at least) are scored exactly, and the
nearest are taken from them. At 10^5 passages 99.7% of the exact top 50 and 99.9% of the exact
top 10 are found (docs/retrieval-notes.md §18). Smaller libraries keep the exact product alone.
"""

from dataclasses import dataclass

import numpy as np

# Rows from which a matrix is searched through a shortlist: below, the exact product costs a few
# milliseconds and the first pass would save little.
SHORTLIST_FROM_ROWS = 20_000
DIMENSIONS = 128
# Rows scored exactly: at least SHORTLIST_ROWS, and SHORTLIST_PER_RESULT per passage asked for.
SHORTLIST_ROWS = 2_000
SHORTLIST_PER_RESULT = 40
# Rows the principal directions are computed from (they change little past this).
FIT_SAMPLE = 20_000
# Rows compared, when the vectors are loaded again, to tell that those kept are the same vectors
# (a MongoDB database made again under the same name hands out the same passage keys again).
UNCHANGED_PROBES = 256


@dataclass(frozen=True)
class Projection:
    """A matrix's rows in the principal directions of (a sample of) its rows."""

    basis: np.ndarray  # float32, (dimensions, DIMENSIONS), orthonormal columns
    rows: np.ndarray  # float32, (n, DIMENSIONS): the matrix times `basis`
    keys: np.ndarray  # the passage keys of `rows`
    fitted_keys: np.ndarray  # the passage keys of the matrix `basis` was computed from


def principal_directions(matrix: np.ndarray) -> np.ndarray:
    """The DIMENSIONS directions along which the rows' dot products vary most (eigenvectors of
    the uncentred second moment of a fixed sample, so the same matrix gives the same basis)."""
    sample = matrix
    if len(matrix) > FIT_SAMPLE:
        chosen = np.random.default_rng(0).choice(len(matrix), FIT_SAMPLE, replace=False)
        sample = matrix[np.sort(chosen)]
    sample = sample.astype(np.float64)
    _, vectors = np.linalg.eigh(sample.T @ sample)
    return np.ascontiguousarray(vectors[:, ::-1][:, :DIMENSIONS], dtype=np.float32)


def project(
    matrix: np.ndarray, keys: np.ndarray, earlier: Projection | None = None, carried: int = 0
) -> Projection | None:
    """The projection of `matrix` (row i holding passage keys[i]), or None when it is small enough
    for the exact product alone or narrower than the projection. The earlier projection's basis
    is kept while it still describes the matrix (`_still_describes`), so a library that takes or
    loses a paper does not compute it again. `carried`: the first rows of `matrix` are, unchanged,
    the rows the earlier projection was made from; only the rows after them are projected then."""
    rows, dimensions = matrix.shape
    if rows < SHORTLIST_FROM_ROWS or dimensions <= DIMENSIONS:
        return None
    if earlier is None or not _still_describes(earlier, matrix, keys):
        basis = principal_directions(matrix)
        return Projection(basis, np.ascontiguousarray(matrix @ basis), keys, keys)
    held = len(earlier.keys)
    if carried == held and np.array_equal(keys[:held], earlier.keys):
        added = matrix[held:] @ earlier.basis
        projected = np.concatenate([earlier.rows, added]) if len(added) else earlier.rows
    else:
        projected = np.ascontiguousarray(matrix @ earlier.basis)
    return Projection(earlier.basis, projected, keys, earlier.fitted_keys)


def _still_describes(earlier: Projection, matrix: np.ndarray, keys: np.ndarray) -> bool:
    """Whether the rows the earlier basis was computed from still make up at least half of the
    matrix, and at least half of them are still there, holding the vectors they held."""
    if earlier.basis.shape[0] != matrix.shape[1]:
        return False
    kept = int(np.isin(earlier.fitted_keys, keys).sum())
    if 2 * kept < len(earlier.fitted_keys) or 2 * kept < len(keys):
        return False
    _, now, before = np.intersect1d(keys, earlier.keys, assume_unique=True, return_indices=True)
    probes = np.linspace(0, len(now) - 1, min(len(now), UNCHANGED_PROBES)).astype(np.int64)
    projected = matrix[now[probes]] @ earlier.basis
    return bool(np.allclose(projected, earlier.rows[before[probes]], atol=1e-4))


def shortlist(projection: Projection, query_vector: np.ndarray, limit: int) -> np.ndarray | None:
    """Row indices, ascending, of the rows that score best in the projection: the rows the exact
    product should read for the `limit` nearest. None when that would be every row."""
    size = max(SHORTLIST_ROWS, SHORTLIST_PER_RESULT * limit)
    if size >= len(projection.rows):
        return None
    approximate = projection.rows @ (query_vector.astype(np.float32) @ projection.basis)
    return np.sort(np.argpartition(-approximate, size - 1)[:size])
