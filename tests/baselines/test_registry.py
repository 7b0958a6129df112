import numpy as np
import pytest

from nco import baselines
from nco.errors import InputError, NcoError
from nco.instance import Instance


def test_every_baseline_resolves_and_shares_the_interface(make_instance):
    instance = make_instance(12, seed=11)
    for name in ("nn", "savings", "ortools", "pyvrp"):
        solution = baselines.get_solver(name)(instance, 0.1, 0, None)
        assert solution.feasible and solution.solver == name


def test_unknown_method_lists_the_known_ones():
    with pytest.raises(NcoError, match="unknown method 'bogus'; choose from nn, savings"):
        baselines.get_solver("bogus")


def test_method_not_landed_yet_says_so(monkeypatch):
    monkeypatch.setitem(baselines.SOLVERS, "later", "nco.not_written_yet:solve")
    with pytest.raises(NcoError, match="method 'later' is not available yet"):
        baselines.get_solver("later")


def test_infeasible_instance_is_rejected_before_any_solver():
    with pytest.raises(InputError, match=r"demands\[2\]: demand 12 exceeds vehicle capacity 10"):
        Instance(distances=np.ones((3, 3)) - np.eye(3), demands=[0, 1, 12], capacity=10)
