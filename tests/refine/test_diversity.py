"""Broken-pairs distance: 0 on itself, symmetric, in [0, 1], and counted on directed arcs."""

from __future__ import annotations

from nco.refine.diversity import broken_pairs_distance


def test_broken_pairs_distance(educated):
    a, b = educated(2, seed=4)
    assert broken_pairs_distance(a, [a])[0] == 0
    d = broken_pairs_distance(a, [b])[0]
    assert 0 < d <= 1
    assert d == broken_pairs_distance(b, [a])[0]


def test_broken_pairs_distance_counts_directed_arcs(line, individual):
    first = individual(line, [[1, 2], [3, 4]])
    reversed_route = individual(line, [[2, 1], [3, 4]])  # 1 and 2 each change successor and predecessor
    merged = individual(line, [[1, 2, 3, 4]])  # only 2's successor and 3's predecessor change
    others = [first, reversed_route, merged]
    assert broken_pairs_distance(first, others).tolist() == [0.0, 4 / 8, 2 / 8]


def test_broken_pairs_distance_to_nobody_is_empty(line, individual):
    assert broken_pairs_distance(individual(line, [[1, 2], [3, 4]]), []).shape == (0,)
