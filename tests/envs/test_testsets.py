"""The shipped test sets load, match their definitions, and rebuild bit for bit."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nco.envs.testsets import TESTSETS, load_testset, make_testsets
from nco.errors import InputError
from nco.pools import split


@pytest.mark.parametrize("spec", TESTSETS, ids=lambda spec: spec.name)
def test_shipped_sets_match_their_definition(spec):
    instances, refs = load_testset(spec.name)
    cities = set(split()["train" if spec.split == "in" else "test"])
    assert len(instances) == spec.count
    assert all(inst.num_customers == spec.size and inst.source["city"] in cities for inst in instances)
    assert all(inst.has_time_windows == (spec.problem == "acvrptw") for inst in instances)
    assert refs is None or len(refs) == spec.count


def test_rebuild_is_identical(tmp_path):
    (path,) = make_testsets(tmp_path, ["acvrp_n50_unseen"], progress=lambda line: None)
    rebuilt, _ = load_testset("acvrp_n50_unseen", tmp_path)
    shipped, _ = load_testset("acvrp_n50_unseen")
    for a, b in zip(rebuilt, shipped):
        assert a.source == b.source and a.name == b.name
        assert np.array_equal(a.distances, b.distances) and np.array_equal(a.demands, b.demands)


def test_refs_and_errors(tmp_path):
    make_testsets(tmp_path, ["acvrp_n50_in"], progress=lambda line: None)
    (tmp_path / "refs.json").write_text(json.dumps({"acvrp_n50_in": [1.0] * 32}))
    assert load_testset("acvrp_n50_in", tmp_path)[1] == [1.0] * 32
    make_testsets(tmp_path, ["acvrp_n50_in"], overwrite=True, progress=lambda line: None)
    assert load_testset("acvrp_n50_in", tmp_path)[1] is None  # rebuilt: old refs dropped
    (tmp_path / "refs.json").write_text(json.dumps({"acvrp_n50_in": [1.0]}))
    with pytest.raises(InputError, match="1 costs for the 32"):
        load_testset("acvrp_n50_in", tmp_path)
    with pytest.raises(InputError, match="no test set 'acvrp_n7_in'") as err:
        load_testset("acvrp_n7_in")
    assert err.value.field == "testset" and "acvrp_n50_in" in str(err.value)
    with pytest.raises(InputError, match="unknown test set"):
        make_testsets(tmp_path, ["tsp_n5_in"])
