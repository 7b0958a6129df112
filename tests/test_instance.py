"""Instance: validation on construction names the offending field."""

from __future__ import annotations

import numpy as np
import pytest

from nco.errors import InputError
from nco.instance import Instance

D = np.array([[0, 5, 7], [6, 0, 3], [8, 2, 0]])


def make(**changes) -> Instance:
    fields = {"distances": D, "demands": [0, 2, 3], "capacity": 5}
    return Instance(**{**fields, **changes})


def test_defaults_and_properties():
    inst = Instance(distances=D.tolist())
    assert inst.num_customers == 2
    assert inst.distances.dtype == np.int64 and inst.durations is inst.distances
    assert inst.demands.tolist() == [0, 0, 0] and inst.capacity == 1
    assert not inst.has_time_windows and inst.service.tolist() == [0, 0, 0]
    assert make(distances=D.astype(float)).distances.dtype == np.int64  # integral floats are fine


def test_replace_validates_again():
    inst = make()
    assert inst.replace(capacity=9).capacity == 9
    with pytest.raises(InputError) as err:
        inst.replace(capacity=1)
    assert err.value.field == "demands[1]"


BAD = [
    ({"distances": np.zeros((2, 3))}, "distances", "square"),
    ({"distances": np.zeros((1, 1))}, "distances", "at least one customer"),
    ({"distances": [[0, 1.5, 1], [1, 0, 1], [1, 1, 0]]}, "distances", "integers"),
    ({"distances": [[0, np.nan, 1], [1, 0, 1], [1, 1, 0]]}, "distances[0][1]", "NaN"),
    ({"distances": [[0, np.inf, 1], [1, 0, 1], [1, 1, 0]]}, "distances[0][1]", "infinite"),
    ({"distances": [[0, -1, 1], [1, 0, 1], [1, 1, 0]]}, "distances[0][1]", "negative"),
    ({"distances": [[0, 1, 1], [1, 4, 1], [1, 1, 0]]}, "distances[1][1]", "diagonal"),
    ({"distances": [["a", "b", "c"]] * 3}, "distances", "numeric"),
    ({"durations": np.zeros((2, 2))}, "durations", "differs"),
    ({"durations": [[0, 1, 1], [1, 0, -3], [1, 1, 0]]}, "durations[1][2]", "negative"),
    ({"demands": [0, 2]}, "demands", "shape"),
    ({"demands": [1, 2, 3]}, "demands[0]", "depot"),
    ({"demands": [0, -2, 3]}, "demands[1]", "negative"),
    ({"demands": [0, 2, 6]}, "demands[2]", "exceeds vehicle capacity 5"),
    ({"capacity": 0}, "capacity", "positive integer"),
    ({"capacity": 2.5}, "capacity", "positive integer"),
    ({"capacity": True}, "capacity", "positive integer"),
    ({"num_vehicles": 0}, "num_vehicles", "positive integer"),
    ({"num_vehicles": 1, "capacity": 4, "demands": [0, 2, 3]}, "num_vehicles", "cannot carry"),
    ({"coords": np.zeros((2, 2))}, "coords", "shape"),
    ({"coords": [[0, 0], [200, 0], [0, 0]]}, "coords", "lon must lie"),
    ({"coords": [[0, 0], [0, np.nan], [0, 0]]}, "coords", "NaN"),
    ({"service_times": [0, 1]}, "service_times", "shape"),
    ({"service_times": [5, 1, 1]}, "service_times[0]", "depot"),
    ({"time_windows": [[0, 100], [0, 10]]}, "time_windows", "shape"),
    ({"time_windows": [[0, 100], [20, 10], [0, 100]]}, "time_windows[1]", "after late"),
    ({"time_windows": [[0, 100], [0, 4], [0, 100]]}, "time_windows[1]", "cannot be served"),
    ({"time_windows": [[0, 12], [0, 100], [0, 100]]}, "time_windows[2]", "returned to the depot by 12"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD)
def test_bad_fields_are_named(changes, field, message):
    with pytest.raises(InputError, match=message) as err:
        make(**changes)
    assert err.value.field == field
    assert str(err.value).startswith(f"{field}: ")


def test_time_windows_allow_waiting_and_count_service():
    windows = [[0, 100], [50, 60], [0, 100]]
    inst = make(time_windows=windows, service_times=[0, 30, 0])  # wait until 50, serve, back at 86
    assert inst.has_time_windows and inst.time_windows.dtype == np.int64
    with pytest.raises(InputError, match="customer 1"):
        make(time_windows=windows, service_times=[0, 45, 0])  # back at 101 > 100
