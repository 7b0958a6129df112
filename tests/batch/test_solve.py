"""solve_batch on a real local Ray (2 CPUs): every answer is nco.solve's, exactly once."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

import nco
from nco.batch.solve import solve_batch
from nco.errors import InputError
from nco.validate import validate


def read_records(path: Path) -> dict:
    """The output's records by id; fails on an id answered twice."""
    records = [json.loads(line) for line in path.read_text().splitlines()]
    ids = [record["id"] for record in records]
    assert len(ids) == len(set(ids)), f"answered twice: {ids}"
    return {record.pop("id"): record for record in records}


def check_routes(instance, answer: dict) -> None:
    """The answer's routes pass nco.validate on the input (an Instance's job ids are its nodes)."""
    routes = [[step["id"] for step in route["steps"] if step["type"] == "job"] for route in answer["routes"]]
    report = validate(instance, routes)
    assert report.feasible, report.violations
    assert report.cost == answer["summary"]["cost"]


def test_answers_equal_nco_solve_for_a_deterministic_method(ray_2cpus, problem_folder, instances, tmp_path):
    # Given far more time than it needs (~0.5 s), the policy alone runs all its rollouts, so
    # its answer does not depend on timing.
    out = tmp_path / "out.jsonl"
    summary = solve_batch(problem_folder, out, method="policy", time_limit=30, seed=3, workers=2)
    assert (summary.total, summary.solved, summary.failed, summary.skipped) == (4, 4, 0, 0)
    records = read_records(out)
    assert sorted(records) == [f"p{i}.json" for i in range(4)]
    for i, instance in enumerate(instances):
        expected = nco.solve(problem_folder / f"p{i}.json", method="policy", time_limit=30, seed=3)
        answer = records[f"p{i}.json"]
        assert answer["routes"] == expected["routes"]
        assert answer["summary"]["cost"] == expected["summary"]["cost"]
        assert answer["nco"]["checkpoint"] == expected["nco"]["checkpoint"]


def test_time_limited_answers_validate_and_errors_name_the_field(ray_2cpus, instances, tmp_path):
    vroom = json.loads((nco.paths.EXAMPLES_DIR / "monaco_50.json").read_text())
    too_big = {**vroom, "jobs": [{**vroom["jobs"][0], "delivery": [10_000]}, *vroom["jobs"][1:]]}
    lines = [
        json.dumps({"id": "monaco", **vroom}),
        "{not json",
        json.dumps({"id": "too big", **too_big}),
        json.dumps(nco.io.instance_to_dict(instances[0]) | {"id": 7}),  # nco's own format: refused
    ]
    source = tmp_path / "problems.jsonl"
    source.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    summary = solve_batch(source, out, method="nco", time_limit=0.3, workers=2)
    assert (summary.solved, summary.failed) == (1, 3)
    records = read_records(out)
    assert records["monaco"]["code"] == 0 and records["monaco"]["nco"]["validated"]
    assert records["monaco"]["summary"]["routes"] == len(records["monaco"]["routes"])
    assert records[2]["code"] == 2 and "malformed JSON" in records[2]["error"] and records[2]["field"].endswith(":2")
    assert records["too big"] == {
        "code": 2,
        "error": records["too big"]["error"],
        "field": "jobs[0].delivery",
    }
    assert records[7]["code"] == 2


def test_an_interrupted_batch_resumes_without_answering_twice(ray_2cpus, problem_folder, instances, tmp_path):
    out = tmp_path / "out.jsonl"
    solve_batch(problem_folder, out, method="pyvrp", time_limit=0.2, workers=2)
    lines = out.read_text().splitlines()
    kept = [line for line in lines if json.loads(line)["id"] != "p2.json"]
    out.write_text("\n".join(kept) + "\n" + kept[0][:40])  # p2 lost, and a record cut short
    summary = solve_batch(problem_folder, out, method="pyvrp", time_limit=0.2, workers=2)
    assert (summary.skipped, summary.solved, summary.failed) == (3, 1, 0)
    records = read_records(out)
    assert sorted(records) == [f"p{i}.json" for i in range(4)]
    for i, instance in enumerate(instances):
        check_routes(instance, records[f"p{i}.json"])


def _kill_one_solving_worker(deadline: float) -> int | None:
    """SIGKILL one of this process's Ray workers while it runs a solve; its pid."""
    while time.monotonic() < deadline:
        for proc in Path("/proc").iterdir():
            try:
                title = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if title.startswith(b"ray::solve_problem") and _descends_from_me(int(proc.name)):
                os.kill(int(proc.name), signal.SIGKILL)
                return int(proc.name)
        time.sleep(0.02)
    return None


def _descends_from_me(pid: int) -> bool:
    while pid > 1:
        if pid == os.getpid():
            return True
        try:
            pid = int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            return False
    return False


def test_a_worker_killed_mid_batch_costs_a_retry_not_an_answer(ray_2cpus, problem_folder, instances, tmp_path):
    out = tmp_path / "out.jsonl"
    killed: list[int | None] = []
    killer = threading.Thread(target=lambda: killed.append(_kill_one_solving_worker(time.monotonic() + 30)))
    killer.start()
    summary = solve_batch(problem_folder, out, method="pyvrp", time_limit=1.0, workers=2)
    killer.join()
    assert killed[0] is not None, "no solving worker was found to kill"
    assert (summary.solved, summary.failed) == (4, 0)
    records = read_records(out)
    assert sorted(records) == [f"p{i}.json" for i in range(4)]
    for i, instance in enumerate(instances):
        check_routes(instance, records[f"p{i}.json"])


def test_bad_options_are_refused_before_any_problem_is_solved(problem_folder, tmp_path):
    with pytest.raises(InputError, match="time_limit"):
        solve_batch(problem_folder, tmp_path / "out.jsonl", time_limit=0)
    assert not (tmp_path / "out.jsonl").exists()


def test_a_problem_ray_gave_up_on_is_an_error_record_not_a_crash():
    from ray.exceptions import WorkerCrashedError

    from nco.batch.solve import _lost

    outcome = _lost("a", WorkerCrashedError())
    assert not outcome.ok and outcome.answer["code"] == 1 and "worker died each time" in outcome.answer["error"]
