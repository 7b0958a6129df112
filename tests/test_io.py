"""Round trips through JSON and npz, and reading CVRPLIB files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nco.errors import InputError
from nco.instance import Instance
from nco.io import (
    instance_from_dict,
    instance_to_dict,
    load_batch,
    load_json,
    read_vrplib,
    read_vrplib_solution,
    save_batch,
    save_json,
)

FIELDS = ("distances", "durations", "demands", "coords", "time_windows", "service_times")


@st.composite
def instances(draw, n: int | None = None, optional: dict[str, bool] | None = None) -> Instance:
    """Random valid instances; ``optional`` fixes which optional fields are present."""
    n = draw(st.integers(1, 8)) if n is None else n
    size = n + 1
    has = optional or {key: draw(st.booleans()) for key in ("durations", "coords", "windows", "vehicles")}

    def matrix(high: int) -> np.ndarray:
        m = draw(arrays(np.int64, (size, size), elements=st.integers(0, high)))
        np.fill_diagonal(m, 0)
        return m

    demands = np.r_[0, draw(arrays(np.int64, n, elements=st.integers(0, 9)))]
    fields = {
        "distances": matrix(70_000),  # crosses the uint16 boundary of the compact npz
        "demands": demands,
        "capacity": draw(st.integers(max(1, int(demands.max())), 50)),
        "name": draw(st.text(max_size=8)),
        "source": {"city": draw(st.sampled_from(["porto", "oslo-east"])), "seed": draw(st.integers(0, 99))},
    }
    if has["durations"]:
        fields["durations"] = matrix(5000)
    if has["coords"]:
        lon = draw(arrays(np.float64, size, elements=st.floats(-180, 180)))
        lat = draw(arrays(np.float64, size, elements=st.floats(-90, 90)))
        fields["coords"] = np.c_[lon, lat]
    if has["windows"]:
        # Wide windows, always reachable: early in [0, 100], late = the horizon.
        durations = fields.get("durations", fields["distances"])
        service = np.r_[0, draw(arrays(np.int64, n, elements=st.integers(0, 50)))]
        horizon = int((durations[0] + 100 + service + durations[:, 0]).max())
        early = np.r_[0, draw(arrays(np.int64, n, elements=st.integers(0, 100)))]
        fields["time_windows"] = np.c_[early, np.full(size, horizon)]
        fields["service_times"] = service
    if has["vehicles"]:
        fields["num_vehicles"] = int(np.ceil(demands.sum() / fields["capacity"])) + draw(st.integers(0, 2)) or 1
    return Instance(**fields)


def assert_same(a: Instance, b: Instance) -> None:
    for key in FIELDS:
        x, y = getattr(a, key), getattr(b, key)
        assert (x is None) == (y is None), key
        if x is not None:
            assert np.array_equal(x, y), key
            assert y.dtype == (np.float64 if key == "coords" else np.int64), key
    assert (a.capacity, a.num_vehicles, a.name, a.source) == (b.capacity, b.num_vehicles, b.name, b.source)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inst=instances())
def test_json_round_trip(tmp_path, inst):
    assert_same(inst, instance_from_dict(json.loads(json.dumps(instance_to_dict(inst)))))
    save_json(inst, tmp_path / "one.json")
    assert_same(inst, load_json(tmp_path / "one.json"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.data(),
    n=st.integers(1, 6),
    count=st.integers(1, 4),
    optional=st.fixed_dictionaries({k: st.booleans() for k in ("durations", "coords", "windows", "vehicles")}),
)
def test_npz_round_trip(tmp_path, data, n, count, optional):
    batch = [data.draw(instances(n, optional)) for _ in range(count)]
    save_batch(batch, tmp_path / "batch.npz")
    loaded = load_batch(tmp_path / "batch.npz")
    assert len(loaded) == count
    for a, b in zip(batch, loaded):
        assert_same(a, b)


def test_npz_refuses_mixed_and_empty_batches(tmp_path):
    plain = Instance(distances=[[0, 1], [1, 0]])
    placed = plain.replace(coords=[[0, 0], [1, 1]])
    with pytest.raises(ValueError, match="coords is set on some"):
        save_batch([plain, placed], tmp_path / "x.npz")
    with pytest.raises(ValueError, match="no instances"):
        save_batch([], tmp_path / "x.npz")


def test_npz_stores_default_durations_once(tmp_path):
    plain = Instance(distances=[[0, 3], [4, 0]])
    save_batch([plain], tmp_path / "x.npz")
    with np.load(tmp_path / "x.npz") as data:
        assert not [key for key in data.files if key.startswith("durations")]
    assert load_batch(tmp_path / "x.npz")[0].durations.tolist() == [[0, 3], [4, 0]]


def test_json_errors_name_the_field():
    with pytest.raises(InputError) as err:
        instance_from_dict({"demands": [0]})
    assert err.value.field == "distances"
    with pytest.raises(InputError) as err:
        instance_from_dict({"distances": [[0, 1], [1, 0]], "colour": "red"})
    assert err.value.field == "colour"
    with pytest.raises(InputError) as err:
        instance_from_dict({"distances": [[0, 1], [1, 0]], "demands": [0, 5], "capacity": 2})
    assert err.value.field == "demands[1]"


@pytest.mark.parametrize(
    "field, value",
    [("distances", [[0, 1, 2], [1, 0]]), ("coords", [[7.4], [7.4, 43.7]]), ("demands", ["a", "b"]),
     ("distances", [[0, 2**70], [1, 0]]), ("name", 7), ("source", [1])],
)
def test_json_refuses_ragged_and_mistyped_fields(field, value):
    data = {"distances": [[0, 1], [1, 0]], field: value}
    with pytest.raises(InputError) as err:
        instance_from_dict(data)
    assert err.value.field == field


VRP = """NAME : tiny
TYPE : CVRP
DIMENSION : 4
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 {a}
2 {b}
3 {c}
4 {d}
DEMAND_SECTION
1 {da}
2 {db}
3 {dc}
4 {dd}
DEPOT_SECTION
{depot}
-1
"""
POINTS = {"a": "0 0", "b": "3 4", "c": "6 0", "d": "1 1"}


def test_read_vrplib_rounds_euclidean_distances(tmp_path):
    path = tmp_path / "tiny.vrp"
    path.write_text(VRP.format(**POINTS, da=0, db=4, dc=5, dd=3, depot=1))
    inst = read_vrplib(path)
    # |(0,0)-(1,1)| = 1.41 -> 1, |(3,4)-(1,1)| = 3.61 -> 4, |(6,0)-(1,1)| = 5.10 -> 5
    assert inst.distances.tolist() == [[0, 5, 6, 1], [5, 0, 5, 4], [6, 5, 0, 5], [1, 4, 5, 0]]
    assert inst.demands.tolist() == [0, 4, 5, 3] and inst.capacity == 10
    assert inst.name == "tiny" and inst.coords.tolist()[1] == [3, 4]


def test_read_vrplib_moves_the_depot_first(tmp_path):
    path = tmp_path / "tiny.vrp"
    path.write_text(VRP.format(**POINTS, da=4, db=5, dc=0, dd=3, depot=3))
    inst = read_vrplib(path)
    assert inst.demands.tolist() == [0, 4, 5, 3]
    assert inst.coords.tolist() == [[6, 0], [0, 0], [3, 4], [1, 1]]
    assert inst.distances[0].tolist() == [0, 6, 5, 5]


def test_read_vrplib_solution_and_bad_files(tmp_path):
    (tmp_path / "tiny.sol").write_text("Route #1: 1 3\nRoute #2: 2\nCost 22\n")
    assert read_vrplib_solution(tmp_path / "tiny.sol") == ([[1, 3], [2]], 22.0)
    (tmp_path / "bad.vrp").write_text("NAME : bad\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\n")
    with pytest.raises(InputError, match="not a readable VRPLIB instance"):
        read_vrplib(tmp_path / "bad.vrp")


def test_read_vrplib_names_short_sections(tmp_path):
    text = VRP.format(**POINTS, da=0, db=4, dc=5, dd=3, depot=1)
    (tmp_path / "demand.vrp").write_text(text.replace("4 3\n", ""))
    with pytest.raises(InputError, match="DEMAND_SECTION: has 3 entries for 4 nodes"):
        read_vrplib(tmp_path / "demand.vrp")
    (tmp_path / "depot.vrp").write_text(VRP.format(**POINTS, da=0, db=4, dc=5, dd=3, depot=9))
    with pytest.raises(InputError, match="DEPOT_SECTION"):
        read_vrplib(tmp_path / "depot.vrp")
