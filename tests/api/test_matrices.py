"""Where OSRM snapped each stop, and how far: reported per job under nco.matrix.snapping."""

import numpy as np
import pytest

import nco
from nco.api.matrices import great_circle, snapping
from nco.api.schema import Translation


def test_snapping_reports_each_job_in_input_order():
    coords = np.array([[7.42, 43.73], [7.43, 43.74], [7.44, 43.75]])
    snapped = coords + [[0.0, 0.0], [0.0, 0.001], [0.001, 0.0]]
    report = snapping(coords, snapped, Translation(job_ids=[7, 3], vehicle_ids=[0]))
    assert report["depot"] == {"location": [7.42, 43.73], "distance": 0.0}
    assert [job["id"] for job in report["jobs"]] == [7, 3]
    assert report["jobs"][0]["distance"] == pytest.approx(111.2, abs=0.2)  # 0.001 degrees of latitude
    assert report["jobs"][1]["location"] == [7.441, 43.75]
    assert great_circle(coords[1], snapped[1]) == pytest.approx(report["jobs"][0]["distance"], abs=0.05)


@pytest.mark.osrm
def test_osrm_answers_say_how_far_each_stop_was_moved(monaco_server):
    # The third stop lies in the harbour, ~100 m off the nearest road.
    stops = [[7.4189, 43.7312], [7.4246, 43.7384], [7.4255, 43.7355]]
    problem = {
        "jobs": [{"id": 10 + k, "location": p, "delivery": [1]} for k, p in enumerate(stops)],
        "vehicles": [{"id": 1, "start": [7.4213, 43.7357], "end": [7.4213, 43.7357], "capacity": [9]}],
    }
    result = nco.solve(problem, time_limit=0.2, method="pyvrp", osrm_url=monaco_server)
    report = result["nco"]["matrix"]["snapping"]
    assert [job["id"] for job in report["jobs"]] == [10, 11, 12]
    distances = [job["distance"] for job in report["jobs"]]
    assert all(d >= 0 for d in distances) and max(distances) > 20
    step = next(s for s in result["routes"][0]["steps"] if s.get("id") == 12)
    assert step["location"] == stops[2]  # VROOM's fields keep the requested location
