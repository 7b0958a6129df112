"""Ordered crossover: a permutation of the customers that keeps a slice of the first parent in
place and fills the rest in the second parent's order, never reversed."""

from __future__ import annotations

import numpy as np

from nco.refine.crossover import ordered_crossover


class FixedCut:
    """Stands in for the random generator: the slice is always positions 2..5."""

    def choice(self, size: int, count: int, replace: bool) -> np.ndarray:
        return np.array([5, 2])


def test_ordered_crossover_is_a_permutation_keeping_a_slice():
    rng = np.random.default_rng(0)
    first, second = rng.permutation(np.arange(1, 51)), rng.permutation(np.arange(1, 51))
    for _ in range(20):
        child = ordered_crossover(first, second, rng)
        assert sorted(child) == list(range(1, 51))
        same = np.flatnonzero(child == first)
        assert same.size >= 2


def test_ordered_crossover_fills_in_the_second_parents_order():
    first, second = np.arange(1, 9), np.arange(8, 0, -1)
    # first[2..5] = 3 4 5 6 stays; from position 6 on, around to 1, come the others in the
    # order second visits them starting after position 5: 2 1 8 7.
    child = ordered_crossover(first, second, FixedCut())
    assert child.tolist() == [8, 7, 3, 4, 5, 6, 2, 1]


def test_crossing_a_tour_with_itself_gives_it_back():
    rng = np.random.default_rng(1)
    tour = rng.permutation(np.arange(1, 31))
    for _ in range(10):
        assert ordered_crossover(tour, tour, rng).tolist() == tour.tolist()


def test_a_one_customer_tour_is_copied():
    tour = np.array([1])
    child = ordered_crossover(tour, tour, np.random.default_rng(0))
    assert child.tolist() == [1] and child is not tour
