"""The solve API's output: a validated :class:`Solution` as VROOM-shaped JSON.

The layout follows VROOM's output (``code``, ``summary``, ``unassigned``, ``routes[].steps[]``)
so that existing clients read it; nco's own extras (method, policy cost, refiner iterations,
seed, checkpoint, where the matrices came from) sit under the ``nco`` key. ``cost`` is the
objective nco minimises: total distance in metres.
"""

from __future__ import annotations

from typing import Any

from nco.api.schema import Translation
from nco.errors import OK
from nco.instance import DEPOT, Instance
from nco.solution import Solution
from nco.validate import check

def to_vroom(
    instance: Instance,
    solution: Solution,
    translation: Translation,
    computing_times: dict[str, float],
    extras: dict[str, Any],
) -> dict[str, Any]:
    """VROOM-shaped JSON for ``solution`` (checked by :func:`nco.validate.check` first).

    Parameters
    ----------
    instance, solution
        What was solved and the answer; the answer is validated again here, so nothing
        leaves the API unchecked.
    translation
        Node -> job id / vehicle id / matrix index.
    computing_times
        Seconds per phase (``loading``, ``matrix``, ``inference``, ``refine``); reported in
        integer milliseconds as VROOM does.
    extras
        Goes under the ``nco`` key.

    Raises
    ------
    InfeasibleSolution
        When the routes do not solve the instance.
    """
    report = check(instance, solution.routes)
    routes = [
        _route(instance, route, vehicle, translation)
        for route, vehicle in zip(solution.routes, translation.vehicle_ids, strict=False)
    ]
    totals = {key: sum(r[key] for r in routes) for key in ("cost", "distance", "duration", "service", "waiting_time")}
    assert totals["distance"] == report.distance, "output distance disagrees with the validator"
    times = {key: _ms(value) for key, value in computing_times.items()}
    # VROOM's own phase names, so its clients find them: routing = matrices, solving = search.
    times["routing"] = times.get("matrix", 0)
    times["solving"] = times.get("inference", 0) + times.get("refine", 0)
    summary = {
        **totals,
        "routes": len(routes),
        "unassigned": 0,
        "delivery": [int(instance.demands.sum())],
        "setup": 0,
        "priority": 0,
        "violations": [],
        "computing_times": times,
    }
    return {"code": OK, "summary": summary, "unassigned": [], "routes": routes, "nco": extras}


def _route(instance: Instance, route: list[int], vehicle: int, translation: Translation) -> dict[str, Any]:
    path = [DEPOT, *route, DEPOT]
    load = int(instance.demands[route].sum())
    service = instance.service
    time = int(instance.time_windows[DEPOT, 0]) if instance.time_windows is not None else 0
    distance = duration = waiting = 0
    steps = [_step("start", instance, DEPOT, translation, arrival=time, load=load)]
    for prev, node in zip(path[:-1], path[1:]):
        travel = int(instance.durations[prev, node])
        distance += int(instance.distances[prev, node])
        duration += travel
        arrival = time + int(service[prev]) + travel
        # Arrive, wait for the window to open, then serve: VROOM's step timing.
        wait = 0 if instance.time_windows is None else max(0, int(instance.time_windows[node, 0]) - arrival)
        waiting += wait
        time = arrival + wait
        if node == DEPOT:
            steps.append(_step("end", instance, node, translation, arrival, 0, duration, distance))
            continue
        load -= int(instance.demands[node])
        step = _step("job", instance, node, translation, arrival, load, duration, distance)
        step.update(service=int(service[node]), waiting_time=wait)
        steps.append(step)
    return {
        "vehicle": vehicle,
        "cost": distance,
        "distance": distance,
        "duration": duration,
        "service": int(service[route].sum()),
        "waiting_time": waiting,
        "delivery": [int(instance.demands[route].sum())],
        "setup": 0,
        "priority": 0,
        "violations": [],
        "steps": steps,
    }


def _step(
    kind: str,
    instance: Instance,
    node: int,
    translation: Translation,
    arrival: int,
    load: int,
    duration: int = 0,
    distance: int = 0,
) -> dict[str, Any]:
    step: dict[str, Any] = {"type": kind}
    if kind == "job":
        step["id"] = translation.job_ids[node - 1]
    if instance.coords is not None:
        step["location"] = [float(x) for x in instance.coords[node]]
    if translation.location_indices is not None:
        step["location_index"] = translation.location_indices[node]
    step.update(
        setup=0, service=0, waiting_time=0, arrival=arrival, duration=duration, distance=distance, load=[load]
    )
    return step


def _ms(seconds: float) -> int:
    return int(round(1000 * float(seconds)))

