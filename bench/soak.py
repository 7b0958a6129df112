"""Soak test: 1000 mixed valid and invalid requests of all methods against one ``nco serve``.

Starts a real server (``nco serve`` on a free loopback port, small limits), sends the
requests from a few client threads at once, and records the answers by status code and
kind, latency percentiles, the server's resident memory before and after, and any
traceback in its log. Valid problems are feasible by construction; an answer to one must
serve every job once. Writes ``bench/results/soak.json``.

    nice -n 10 .venv/bin/python bench/soak.py [--requests 1000] [--clients 12]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

from nco.api import METHODS
from nco.osrm.server import free_port

RESULTS = Path(__file__).parent / "results" / "soak.json"
MAX_TIME_LIMIT = 0.2
MAX_JOBS = 40


def valid_problem(rng: np.random.Generator, method: str) -> dict:
    """A feasible problem: demands of at most 5 in vehicles of 15, one vehicle to spare."""
    n = int(rng.integers(3, 31))
    points = rng.uniform(0, 5000, size=(n + 1, 2))
    distances = np.rint(np.abs(points[:, None] - points[None]).sum(-1) * rng.uniform(1, 1.3, (n + 1, n + 1)))
    np.fill_diagonal(distances, 0)
    demands = rng.integers(1, 6, n)
    fleet = int(np.ceil(demands.sum() / 10)) + 1
    problem = {
        "jobs": [{"id": 1000 + k, "location_index": k + 1, "delivery": [int(d)]} for k, d in enumerate(demands)],
        "vehicles": [{"id": v, "start_index": 0, "end_index": 0, "capacity": [15]} for v in range(fleet)],
        "matrices": {"car": {"distances": distances.astype(int).tolist()}},
        "options": {
            "method": method, "time_limit": float(rng.choice([0.05, 0.1, 0.2])), "seed": int(rng.integers(100))
        },
    }
    if method != "policy" and rng.random() < 0.3:  # the policy alone does not model windows
        for vehicle in problem["vehicles"]:
            vehicle["time_window"] = [0, 10**6]
    return problem


def invalid_request(rng: np.random.Generator, kind: str) -> tuple[bytes, dict[str, str]]:
    """Bytes and headers of one bad request of ``kind``."""
    json_type = {"content-type": "application/json"}
    problem = valid_problem(rng, "pyvrp")
    if kind == "malformed_json":
        return b'{"jobs": [', json_type
    if kind == "invalid_utf8":
        return b'{"jobs": "\xff\xfe"}', json_type
    if kind == "deep_nesting":
        return b"[" * 50_000, json_type
    if kind == "empty_body":
        return b"", json_type
    if kind == "bare_string":
        return b'"/etc/passwd"', json_type
    if kind == "text_plain":
        return json.dumps(problem).encode(), {"content-type": "text/plain"}
    if kind == "evil_host":
        return json.dumps(problem).encode(), {**json_type, "host": "evil.example"}
    if kind == "unsupported_fields":
        problem["shipments"] = [{"pickup": {}}]
        problem["vehicles"][0]["breaks"] = [{"id": 1}]
    elif kind == "string_ids":
        problem["jobs"][0]["id"] = "7"
        problem["matrices"]["car"]["distances"][1][2] = "12"
    elif kind == "open_route":
        del problem["vehicles"][0]["end_index"]
    elif kind == "time_limit_over_cap":
        problem["options"]["time_limit"] = 60
    elif kind == "too_many_jobs":
        problem["jobs"] = [{"id": k, "location_index": 1} for k in range(MAX_JOBS + 1)]
    elif kind == "infeasible":  # 3 jobs of 6 in 2 vehicles of 10
        problem["jobs"] = [{"id": k, "location_index": k, "delivery": [6]} for k in (1, 2, 3)]
        problem["vehicles"] = [{"id": v, "start_index": 0, "end_index": 0, "capacity": [10]} for v in (1, 2)]
    return json.dumps(problem).encode(), json_type


INVALID = [
    "malformed_json", "invalid_utf8", "deep_nesting", "empty_body", "bare_string", "text_plain", "evil_host",
    "unsupported_fields", "string_ids", "open_route", "time_limit_over_cap", "too_many_jobs", "infeasible",
]


def rss_mib(pid: int) -> float:
    """Resident memory of process ``pid`` (MiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def start_server(port: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "nco.cli.main", "serve", "--port", str(port), "--max-time-limit", str(MAX_TIME_LIMIT),
        "--max-jobs", str(MAX_JOBS), "--queue", "8",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return server
        except httpx.TransportError:
            if server.poll() is not None:
                raise RuntimeError(f"nco serve exited: {log.read_text()[-2000:]}") from None
            time.sleep(0.3)
    raise RuntimeError("nco serve did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=12)  # more than the queue: some are shed
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    plan = []  # (kind, method, body, headers, job ids or None)
    for k in range(args.requests):
        if rng.random() < 0.5:
            method = METHODS[k % len(METHODS)]
            problem = valid_problem(rng, method)
            ids = sorted(job["id"] for job in problem["jobs"])
            plan.append((f"valid_{method}", json.dumps(problem).encode(), {"content-type": "application/json"}, ids))
        else:
            kind = INVALID[int(rng.integers(len(INVALID)))]
            plan.append((kind, *invalid_request(rng, kind), None))

    port = free_port()
    log = Path(tempfile.mkdtemp()) / "serve.log"
    server = start_server(port, log)
    url = f"http://127.0.0.1:{port}/solve"
    try:
        for method in METHODS:  # warm-up: the first solve of each method loads its libraries
            httpx.post(url, content=json.dumps(valid_problem(rng, method)).encode(), timeout=60)
        rss_before = rss_mib(server.pid)

        def send(item: tuple) -> tuple[str, int, float, bool, str | None]:
            kind, body, headers, ids = item
            started = time.perf_counter()
            response = httpx.post(url, content=body, headers=headers, timeout=120)
            seconds = time.perf_counter() - started
            answer = response.json()
            if response.status_code == 200:
                served = sorted(s["id"] for r in answer["routes"] for s in r["steps"] if s["type"] == "job")
                good = answer["code"] == 0 and served == ids
            else:
                good = set(answer) == {"code", "error", "field"}
            return kind, response.status_code, seconds, good, answer.get("error")

        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            answers = list(pool.map(send, plan))
        wall = time.perf_counter() - started
        rss_after = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    latencies = np.array([seconds for _, _, seconds, _, _ in answers])
    solved = np.array([seconds for _, status, seconds, _, _ in answers if status == 200])
    by_kind: dict[str, Counter] = {}
    for kind, status, *_ in answers:
        by_kind.setdefault(kind, Counter())[str(status)] += 1
    statuses = Counter(str(status) for _, status, *_ in answers)
    # Why feasible problems were not solved (shedding aside): the digits vary, the reasons do not.
    unsolved = Counter(
        re.sub(r"\d+(\.\d+)?", "#", error)
        for kind, status, _, _, error in answers
        if kind.startswith("valid") and status not in (200, 503)
    )
    report = {
        "requests": len(answers),
        "clients": args.clients,
        "limits": {"max_time_limit": MAX_TIME_LIMIT, "max_jobs": MAX_JOBS, "queue": 8},
        "wall_seconds": round(wall, 1),
        "by_status": dict(sorted(statuses.items())),
        "by_kind": {kind: dict(sorted(counts.items())) for kind, counts in sorted(by_kind.items())},
        "server_errors_other_than_503": sum(n for s, n in statuses.items() if s.startswith("5") and s != "503"),
        "answers_not_as_documented": sum(not good for *_, good, _ in answers),
        "valid_but_unsolved": dict(unsolved.most_common(5)),
        "tracebacks_in_server_log": log.read_text().count("Traceback"),
        "latency_ms": {
            "p50": round(1000 * float(np.percentile(latencies, 50)), 1),
            "p99": round(1000 * float(np.percentile(latencies, 99)), 1),
            "p50_solved": round(1000 * float(np.percentile(solved, 50)), 1) if len(solved) else None,
            "p99_solved": round(1000 * float(np.percentile(solved, 99)), 1) if len(solved) else None,
        },
        "rss_mib": {"before": round(rss_before, 1), "after": round(rss_after, 1)},
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
