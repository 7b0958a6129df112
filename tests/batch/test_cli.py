import json

from nco.cli.main import main


def test_solve_batch_writes_jsonl_and_fails_when_a_problem_fails(ray_2cpus, problem_folder, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    argv = ["solve-batch", str(problem_folder), "-o", str(out), "--method", "ortools", "--time-limit", "0.2"]
    assert main([*argv, "--workers", "2"]) == 0
    assert "4 solved, 0 failed" in capsys.readouterr().err
    (problem_folder / "broken.json").write_text("{")
    assert main([*argv, "--workers", "2", "--quiet"]) == 2
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records[-1:]] == ["broken.json"] and records[-1]["code"] == 2
    assert sum(r.get("code") == 0 for r in records) == 4
