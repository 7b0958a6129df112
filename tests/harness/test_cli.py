import json

from nco.baselines.heuristics import savings
from nco.cli.main import main
from nco.io import read_vrplib, save_batch

VRP = """NAME : tiny
TYPE : CVRP
DIMENSION : 6
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : {capacity}
NODE_COORD_SECTION
1 50 50
2 10 10
3 90 15
4 85 90
5 15 80
6 50 95
DEMAND_SECTION
1 0
2 3
3 4
4 5
5 2
6 {demand}
DEPOT_SECTION
1
-1
EOF
"""


def test_compare_on_an_npz_testset(tmp_path, capsys, rings):
    save_batch(rings, tmp_path / "tiny.npz")
    out = tmp_path / "out"
    argv = ["eval", "compare", "--testset", str(tmp_path / "tiny.npz"), "--methods", "nn,savings,ortools,pyvrp"]
    code = main([*argv, "--budgets", "0.1,0.2", "--out", str(out), "--limit-instances", "2"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "| pyvrp | 0.2 |" in printed and "| 2/2 |" in printed
    data = json.loads((out / "compare.json").read_text())
    assert data["meta"]["instances"] == 2 and len(data["rows"]) == 8
    assert all(run["cost"] is not None for run in data["runs"])
    assert (out / "compare.png").stat().st_size > 0 and (out / "compare.csv").exists()


def test_compare_on_a_vrplib_folder_uses_the_bks(tmp_path, capsys):
    (tmp_path / "tiny.vrp").write_text(VRP.format(capacity=10, demand=4))
    bks = savings(read_vrplib(tmp_path / "tiny.vrp"))
    routes = "\n".join(f"Route #{k + 1}: {' '.join(map(str, r))}" for k, r in enumerate(bks.routes))
    (tmp_path / "tiny.sol").write_text(f"{routes}\nCost {bks.cost:.0f}\n")
    argv = ["eval", "compare", "--vrplib", str(tmp_path), "--methods", "savings", "--budgets", "0.1"]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 0
    assert "| savings | 0.1 | " + f"{bks.cost:.0f} | 0.00 |" in capsys.readouterr().out


def test_infeasible_instance_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "bad.vrp").write_text(VRP.format(capacity=10, demand=11))
    argv = ["eval", "compare", "--vrplib", str(tmp_path), "--methods", "nn", "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "bad.vrp: demands[5]: demand 11 exceeds vehicle capacity 10" in err


def test_unknown_method_is_a_one_line_error(tmp_path, capsys):
    argv = ["eval", "compare", "--vrplib", str(tmp_path), "--methods", "nn,bogus", "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "unknown method 'bogus'" in capsys.readouterr().err
