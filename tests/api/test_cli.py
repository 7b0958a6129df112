"""``nco solve`` end to end, as a user runs it (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest

from nco.cli.main import main
from nco.instance import Instance
from nco.io import instance_to_dict, save_batch
from nco.osrm.server import free_port
from nco.paths import EXAMPLES_DIR

VRP = """NAME : tiny
TYPE : CVRP
DIMENSION : 6
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 0 0
2 10 0
3 10 10
4 0 10
5 -10 0
6 0 -10
DEMAND_SECTION
1 0
2 4
3 4
4 4
5 4
6 4
DEPOT_SECTION
1
-1
EOF
"""


def _nco(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nco.cli.main", *args], input=stdin, capture_output=True, text=True, timeout=120
    )


def test_stdin_to_stdout(make_problem):
    data = make_problem(n=7)
    done = _nco("solve", "-", "--method", "pyvrp", "--time-limit", "0.2", "--quiet", stdin=json.dumps(data))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    result = json.loads(done.stdout)
    assert result["code"] == 0 and result["nco"]["validated"]
    assert len([s for r in result["routes"] for s in r["steps"] if s["type"] == "job"]) == 7


def test_file_to_file_with_progress_and_map(tmp_path, make_problem):
    data = make_problem(n=8)
    # Locations make the answer drawable; the matrices are still what is solved on.
    for k, job in enumerate(data["jobs"]):
        job["location"] = [7.41 + 0.003 * k, 43.73 + 0.002 * (k % 3)]
    for vehicle in data["vehicles"]:
        vehicle["start"] = vehicle["end"] = [7.42, 43.735]
    source, out, png = tmp_path / "in.json", tmp_path / "routes.json", tmp_path / "map.png"
    source.write_text(json.dumps(data))
    done = _nco("solve", str(source), "-o", str(out), "--plot", str(png), "--time-limit", "0.2", "--method", "ortools")
    assert done.returncode == 0, done.stderr
    assert "nco: ortools" in done.stderr and "best" in done.stderr  # the progress line
    assert json.loads(out.read_text())["nco"]["solver"] == "ortools"
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"


def test_vrplib_and_instance_files(tmp_path):
    vrp = tmp_path / "tiny.vrp"
    vrp.write_text(VRP)
    done = _nco("solve", str(vrp), "--method", "pyvrp", "--time-limit", "0.2", "--quiet")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["routes"] == 3  # 5 stops of 4 in vehicles of 10

    instance = Instance(distances=[[0, 5, 7], [5, 0, 3], [7, 3, 0]], demands=[0, 1, 1], capacity=2)
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(instance_to_dict(instance)))
    done = _nco("solve", str(path), "--method", "pyvrp", "--time-limit", "0.1", "--quiet")
    assert json.loads(done.stdout)["summary"]["cost"] == 15


def test_bad_input_is_one_line_naming_the_field(make_problem):
    data = make_problem()
    data["jobs"][1]["delivery"] = [-4]
    done = _nco("solve", "-", "--quiet", stdin=json.dumps(data))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "jobs[1].delivery[0]" in done.stderr
    assert "Traceback" not in done.stderr
    missing = _nco("solve", "/nonexistent.json")
    assert missing.returncode == 2 and "no such file" in missing.stderr


def _coordinates_only(path) -> dict:
    """The shipped Monaco example without its matrices: the road matrices must come from OSRM."""
    data = json.loads(path.read_text())
    del data["matrices"]
    for job in data["jobs"]:
        del job["location_index"]
    for vehicle in data["vehicles"]:
        del vehicle["start_index"], vehicle["end_index"]
    data["jobs"] = data["jobs"][:15]
    return data


@pytest.mark.osrm
def test_osrm_matrices_and_road_map(monaco_server, tmp_path):
    source, png = tmp_path / "coords.json", tmp_path / "roads.png"
    source.write_text(json.dumps(_coordinates_only(EXAMPLES_DIR / "monaco_50.json")))
    done = _nco(
        "solve", str(source), "--osrm-url", monaco_server, "--method", "pyvrp", "--time-limit", "0.3",
        "--plot", str(png), "--quiet",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["nco"]["matrix"]["source"] == "osrm" and result["nco"]["matrix"]["osrm_url"] == monaco_server
    assert png.stat().st_size > 10_000


def test_serve_answers_health_and_solve(make_problem):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "nco.cli.main", "serve", "--port", str(port), "--max-time-limit", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{url}/health", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "nco serve did not come up"
                time.sleep(0.2)
        assert health.json()["limits"]["max_time_limit"] == 1.0
        body = {**make_problem(), "options": {"method": "pyvrp", "time_limit": 0.2}}
        assert httpx.post(f"{url}/solve", json=body, timeout=30).json()["code"] == 0
    finally:
        server.terminate()
        server.wait(timeout=20)


SHORT_DEMANDS = VRP.replace("3 4\n4 4\n5 4\n6 4\nDEPOT", "3 4\nDEPOT")  # 3 demands for 6 nodes
BAD_FILES = [
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("latin1.json", b'{"jobs": [], "vehicles": [], "x": "caf\xe9"}', "not valid UTF-8"),
    ("string.json", b'"/etc/passwd"', "the problem must be a JSON object"),
    ("ragged.json", json.dumps({"distances": [[0, 1, 2], [1, 0]]}).encode(), "distances: must be a rectangular array"),
    ("coords.json", json.dumps({"distances": [[0, 1], [1, 0]], "coords": [[7.4], [7.4, 43.7]]}).encode(), "coords:"),
    ("short.vrp", SHORT_DEMANDS.encode(), "DEMAND_SECTION: has 3 entries for 6 nodes"),
    ("ids.json", json.dumps({"jobs": [{"id": True}], "vehicles": [{"id": "1"}]}).encode(), "jobs[0].id"),
    ("junk.npz", b"x", "is not an npz file of nco instances"),
]


@pytest.mark.parametrize("name, raw, message", BAD_FILES, ids=[name for name, _, _ in BAD_FILES])
def test_bad_files_are_one_line_and_exit_2(tmp_path, capsys, name, raw, message):
    path = tmp_path / name
    path.write_bytes(raw)
    assert main(["solve", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("nco solve: error: ")


def test_npz_instances_are_solved_one_at_a_time(tmp_path, capsys):
    instance = Instance(distances=[[0, 5, 7], [5, 0, 3], [7, 3, 0]], demands=[0, 1, 1], capacity=2)
    one, two = tmp_path / "one.npz", tmp_path / "two.npz"
    save_batch([instance], one)
    save_batch([instance, instance], two)
    done = _nco("solve", str(one), "--method", "pyvrp", "--time-limit", "0.1", "--quiet")  # with the fast exit
    assert done.returncode == 0 and json.loads(done.stdout)["summary"]["unassigned"] == 0
    assert main(["solve", str(two), "--quiet"]) == 2
    assert "holds 2 instances; nco solve takes one" in capsys.readouterr().err


def test_output_folders_are_checked_before_solving(tmp_path, capsys, make_problem):
    source = tmp_path / "in.json"
    source.write_text(json.dumps(make_problem()))
    for option in ("-o", "--plot"):
        started = time.perf_counter()
        code = main(["solve", str(source), option, str(tmp_path / "missing" / "out"), "--time-limit", "5", "--quiet"])
        assert code == 2 and time.perf_counter() - started < 2  # refused before a 5 s solve
        assert "does not exist" in capsys.readouterr().err


def test_stdin_with_a_byte_order_mark_is_read_as_over_http(make_problem):
    text = "\ufeff" + json.dumps(make_problem(n=4))
    done = _nco("solve", "-", "--method", "pyvrp", "--time-limit", "0.1", "--quiet", stdin=text)
    assert done.returncode == 0, done.stderr
    invalid = subprocess.run(
        [sys.executable, "-m", "nco.cli.main", "solve", "-"], input=b"\xff\xfe{}", capture_output=True, timeout=120
    )
    assert invalid.returncode == 2 and b"stdin: is not valid UTF-8" in invalid.stderr
    assert b"Traceback" not in invalid.stderr
