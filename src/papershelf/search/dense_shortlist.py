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
# A basis is computed again once the matrix holds this many times the rows it was computed from.
REFIT_GROWTH = 2.0


@dataclass(frozen=True)
class Projection:
    """A matrix's rows in the principal directions of (a sample of) its rows."""

    basis: np.ndarray  # float32, (dimensions, DIMENSIONS), orthonormal columns
    rows: np.ndarray  # float32, (n, DIMENSIONS): the matrix times `basis`
    fitted_rows: int  # how many rows the matrix had when `basis` was computed


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


def project(matrix: np.ndarray, earlier: Projection | None = None) -> Projection | None:
    """The matrix's projection, or None when it is small enough for the exact product alone or
    narrower than the projection. The earlier projection's basis is kept while the matrix has not
    outgrown it (REFIT_GROWTH), so a library that takes a paper does not compute it again."""
    rows, dimensions = matrix.shape
    if rows < SHORTLIST_FROM_ROWS or dimensions <= DIMENSIONS:
        return None
    if (
        earlier is not None
        and earlier.basis.shape[0] == dimensions
        and rows <= earlier.fitted_rows * REFIT_GROWTH
    ):
        basis, fitted = earlier.basis, earlier.fitted_rows
    else:
        basis, fitted = principal_directions(matrix), rows
    return Projection(basis, np.ascontiguousarray(matrix @ basis), fitted)


def shortlist(projection: Projection, query_vector: np.ndarray, limit: int) -> np.ndarray:
    """Row indices, ascending, of the rows that score best in the projection: the rows the exact
    product should read for the `limit` nearest."""
    size = max(SHORTLIST_ROWS, SHORTLIST_PER_RESULT * limit)
    approximate = projection.rows @ (query_vector.astype(np.float32) @ projection.basis)
    if size >= len(approximate):
        return np.arange(len(approximate))
    return np.sort(np.argpartition(-approximate, size - 1)[:size])
