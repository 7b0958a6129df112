from statistics import StatisticsError, fmean

import pytest

from nco.batch.engine import map_unordered, ray_session
from nco.errors import NcoError


def test_every_task_comes_back_once_with_its_own_error(ray_2cpus):
    tasks = iter([("a", ([1, 3],)), ("empty", ([],)), ("b", ([2],))])  # consumed lazily
    done = {finished.key: finished for finished in map_unordered(fmean, tasks, concurrency=2)}
    assert sorted(done) == ["a", "b", "empty"]
    assert done["a"].result() == 2.0 and done["b"].result() == 2.0
    assert isinstance(done["empty"].error, StatisticsError)  # raised on the worker, handed back
    with pytest.raises(StatisticsError):
        done["empty"].result()


def test_workers_must_be_positive():
    with pytest.raises(NcoError, match="workers must be at least 1"):
        with ray_session(workers=0):
            pass
