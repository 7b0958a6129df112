"""VROOM input -> Instance: errors name the field the caller wrote."""

from __future__ import annotations

import numpy as np
import pytest

from nco.api.matrices import haversine_matrices, resolve_matrices
from nco.api.schema import MAX_VALUE, build_instance, field_path, parse_problem
from nco.errors import InputError


def _instance(data: dict):
    problem = parse_problem(data)
    matrices = resolve_matrices(problem)
    return build_instance(problem, matrices.distances, matrices.durations)


def test_matrix_problem_becomes_an_instance(make_problem):
    data = make_problem(n=5, vehicles=2, capacity=12)
    instance = _instance(data)
    assert instance.num_customers == 5
    assert instance.num_vehicles == 2
    assert instance.capacity == 12
    assert instance.demands[1:].tolist() == [job["delivery"][0] for job in data["jobs"]]
    assert instance.distances[0, 3] == data["matrices"]["car"]["distances"][0][3]


def test_location_index_selects_from_a_larger_matrix(make_problem):
    data = make_problem(n=6)
    data["jobs"] = data["jobs"][3:]  # jobs at indices 4, 5, 6
    instance = _instance(data)
    full = np.asarray(data["matrices"]["car"]["distances"])
    assert (instance.distances == full[np.ix_([0, 4, 5, 6], [0, 4, 5, 6])]).all()


def test_only_durations_are_used_for_both_and_labelled(make_problem):
    data = make_problem()
    del data["matrices"]["car"]["distances"]
    matrices = resolve_matrices(parse_problem(data))
    assert (matrices.distances == matrices.durations).all()
    assert matrices.info["distances"] == "copied from durations"


def test_time_windows_and_service_carry_over(make_problem):
    data = make_problem(n=3)
    data["vehicles"][0]["time_window"] = data["vehicles"][1]["time_window"] = data["vehicles"][2]["time_window"] = [
        0,
        100_000,
    ]
    data["jobs"][1]["time_windows"] = [[100, 5000]]
    data["jobs"][2]["service"] = 300
    instance = _instance(data)
    assert instance.time_windows[2].tolist() == [100, 5000]
    assert instance.time_windows[1].tolist() == [0, 100_000]  # no window: the depot's hours
    assert instance.service.tolist() == [0, 0, 0, 300]


BAD = [
    (lambda d: d["jobs"][1].update(delivery=[-1]), "jobs[1].delivery[0]"),
    (lambda d: d["jobs"][1].update(delivery=[99]), "jobs[1].delivery"),
    (lambda d: d["jobs"][1].update(location_index=40), "jobs[1].location_index"),
    (lambda d: d["jobs"][1].update(deliveries=[1]), "jobs[1].deliveries"),
    (lambda d: d["jobs"][1].update(pickup=[1]), "jobs[1].pickup"),
    (lambda d: d["jobs"][1].update(time_windows=[[0, 5], [9, 12]]), "jobs[1].time_windows"),
    (lambda d: d["jobs"][1].update(time_windows=[[9, 5]]), "jobs[1].time_windows[0]"),
    (lambda d: d["jobs"][2].update(id=d["jobs"][0]["id"]), "jobs[2].id"),
    (lambda d: d["vehicles"][1].update(capacity=[5]), "vehicles[1].capacity"),
    (lambda d: d["vehicles"][1].update(start_index=2, end_index=2), "vehicles[1].start_index"),
    (lambda d: d["vehicles"][0].update(end_index=3), "vehicles[0].end_index"),
    (lambda d: d["vehicles"][0].update(capacity=[5, 5]), "vehicles[0].capacity"),
    (lambda d: d["matrices"]["car"]["distances"][2].pop(), "matrices.car.distances"),
    (lambda d: d["matrices"]["car"]["distances"][2].__setitem__(3, float("nan")), "matrices.car.distances[2][3]"),
    (lambda d: d["matrices"]["car"]["distances"][2].__setitem__(3, 1.5), "matrices.car.distances[2][3]"),
    (lambda d: d["matrices"]["car"]["durations"][2].__setitem__(2, 7), "matrices.car.durations[2][2]"),
    (lambda d: d["matrices"]["car"]["distances"][2].__setitem__(3, "12"), "matrices.car.distances[2][3]"),
    (lambda d: d["matrices"]["car"]["distances"][2].__setitem__(3, 2**31), "matrices.car.distances[2][3]"),
    (lambda d: d["jobs"][1].update(id=True), "jobs[1].id"),
    (lambda d: d["jobs"][1].update(id="1"), "jobs[1].id"),
    (lambda d: d["jobs"][1].update(delivery=[2.5]), "jobs[1].delivery[0]"),
    (lambda d: d["vehicles"][0].update(id=1.5), "vehicles[0].id"),
    (lambda d: [v.update(capacity=[0]) for v in d["vehicles"]], "vehicles[0].capacity"),
    (lambda d: d["vehicles"][2].pop("end_index"), "vehicles[2].end"),
    (lambda d: d.update(matrices={"truck": d["matrices"]["car"]}), "matrices"),
    (lambda d: d["jobs"][1].update(skills=[3]), "jobs[1].skills"),
    (lambda d: d["vehicles"][1].update(skills=[3]), "vehicles[1].skills"),
    (lambda d: d.update(jobs=[]), "jobs"),
    (lambda d: d.update(shipments=[{"pickup": {}}]), "shipments"),
]


@pytest.mark.parametrize("break_it, field", BAD, ids=[field for _, field in BAD])
def test_bad_input_names_the_field(make_problem, break_it, field):
    data = make_problem()
    break_it(data)
    with pytest.raises(InputError) as info:
        _instance(data)
    assert info.value.field == field


def test_coordinates_without_matrices_need_osrm_or_haversine():
    data = {
        "jobs": [{"id": 1, "location": [7.42, 43.73]}, {"id": 2, "location": [7.43, 43.74]}],
        "vehicles": [{"id": 1, "start": [7.41, 43.73], "end": [7.41, 43.73]}],
    }
    with pytest.raises(InputError, match="allow_haversine") as info:
        resolve_matrices(parse_problem(data))
    assert info.value.field == "matrices"
    matrices = resolve_matrices(parse_problem(data), allow_haversine=True)
    assert matrices.info["source"] == "haversine"
    assert matrices.distances.shape == (3, 3)


def test_haversine_matches_a_known_distance():
    # Paris -> London is about 343.5 km along the great circle.
    distances, durations = haversine_matrices(np.array([[2.3522, 48.8566], [-0.1276, 51.5072]]))
    assert abs(distances[0, 1] - 343_500) < 1000
    assert distances[0, 1] == distances[1, 0] and durations[0, 1] > 0


def test_field_path():
    assert field_path(("jobs", 3, "delivery", 0)) == "jobs[3].delivery[0]"
    assert field_path(("matrices", "car", "distances", 1, 2)) == "matrices.car.distances[1][2]"
    assert field_path(()) == "body"


def test_skills_every_vehicle_has_are_accepted(make_problem):
    data = make_problem(n=3, vehicles=2)
    for vehicle in data["vehicles"]:
        vehicle["skills"] = [1, 14]
    data["jobs"][0]["skills"] = [14]
    assert _instance(data).num_customers == 3


def test_every_unsupported_field_is_listed_in_one_error(make_problem):
    data = make_problem()
    data["shipments"] = [{"pickup": {}, "delivery": {}}]
    data["vehicles"][1]["breaks"] = [{"id": 1}]
    data["jobs"][2]["skills"] = [7]
    data["jobs"][4]["pickup"] = [1]
    with pytest.raises(InputError) as info:
        parse_problem(data)
    assert info.value.field == "shipments"
    for field in ("vehicles[1].breaks", "jobs[2].skills", "jobs[4].pickup"):
        assert field in info.value.message


def test_a_long_list_of_errors_is_cut(make_problem):
    data = make_problem(n=20)
    for job in data["jobs"]:
        job["id"] = str(job["id"])
    with pytest.raises(InputError, match="; and 12 more$"):
        parse_problem(data)


def test_matrix_values_up_to_the_documented_maximum_are_accepted(make_problem):
    data = make_problem(n=3)
    data["matrices"]["car"]["distances"][1][2] = MAX_VALUE
    assert _instance(data).distances[1, 2] == MAX_VALUE


def test_a_bare_json_value_is_not_a_problem():
    with pytest.raises(InputError, match="must be a JSON object"):
        parse_problem("/etc/passwd")


def test_a_whole_float_is_an_integer_as_in_json(make_problem):
    data = make_problem(n=3)
    data["jobs"][0]["id"] = 7.0
    data["matrices"]["car"]["distances"][1][2] = 1234.0
    problem = parse_problem(data)
    assert problem.jobs[0].id == 7 and type(problem.jobs[0].id) is int
    assert problem.matrices["car"].distances[1][2] == 1234
