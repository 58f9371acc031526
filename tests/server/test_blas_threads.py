"""An HTTP server process gives each call's matrix products one core (OpenBLAS threads busy-wait,
so two per call on 2 cores cost a hybrid call 2.5x the CPU under load)."""

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from papershelf.server.app import one_blas_thread


def blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_the_server_limits_blas_to_one_thread_and_products_stay_exact():
    rng = np.random.default_rng(3)
    matrix = rng.standard_normal((4000, 512)).astype(np.float32)
    query = rng.standard_normal(512).astype(np.float32)
    with threadpool_limits(limits=2, user_api="blas"):  # restores this process's limit after
        assert blas_threads() == {2}
        two = matrix @ query
        one_blas_thread()
        assert blas_threads() == {1}
        assert np.array_equal(matrix @ query, two)  # dense scores do not change with threads
