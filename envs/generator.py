"""Sub-instances sampled from the shipped city pools, for rl4co: :class:`CityGenerator`.

The sampling itself (points, demands, capacities, time windows) lives in
:mod:`nco.envs.sampling`, free of rl4co; this module wraps it as an rl4co generator and as
validated :class:`~nco.instance.Instance` objects.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rl4co.envs.common.utils import Generator
from tensordict import TensorDict

from nco.envs.convert import PROBLEMS, arrays_to_td
from nco.envs.sampling import MODES, Pool, Sample, load_pools, sample_instances, vehicle_capacity
from nco.errors import InputError
from nco.instance import Instance


class CityGenerator(Generator):
    """rl4co generator of ACVRP, ATSP or ACVRPTW instances from real city pools.

    Parameters
    ----------
    num_loc
        Number of customers ``n``; each instance has ``n + 1`` nodes.
    problem
        ``"acvrp"``, ``"atsp"`` or ``"acvrptw"``.
    pools
        Pool names or loaded pools; defaults to the training cities of ``nco.pools.split()``.
    mode
        ``"uniform"``, ``"clustered"`` or ``"mixed"`` (each instance picks one at random).
    seed
        Seed of the generator's own random stream (numpy), for reproducible samples.
    """

    def __init__(
        self,
        num_loc: int = 50,
        problem: str = "acvrp",
        pools: Sequence[str | Pool] | None = None,
        mode: str = "mixed",
        seed: int | None = None,
    ):
        super().__init__()
        if problem not in PROBLEMS:
            raise InputError("problem", f"must be one of {', '.join(PROBLEMS)}, got {problem!r}")
        if mode not in MODES:
            raise InputError("mode", f"must be one of {', '.join(MODES)}, got {mode!r}")
        if num_loc < 1:
            raise InputError("num_loc", f"needs at least one customer, got {num_loc}")
        self.num_loc = num_loc
        self.problem = problem
        self.mode = mode
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.vehicle_capacity = vehicle_capacity(problem, num_loc)
        self._pools = pools
        self._loaded: list[Pool] | None = None

    @property
    def pools(self) -> list[Pool]:
        """The city pools, loaded on first use: an env fed with user instances needs none."""
        if self._loaded is None:
            self._loaded = load_pools(self._pools)
        return self._loaded

    def _generate(self, batch_size: Sequence[int]) -> TensorDict:
        return arrays_to_td(self.problem, **self.sample(int(np.prod(batch_size))).arrays)

    def instances(self, count: int, name: str = "") -> list[Instance]:
        """Sample ``count`` validated :class:`Instance` objects (for test sets and baselines).

        Each instance's ``source`` records its city, sampling mode, the generator seed, its
        index in this call and the pool nodes it was cut from (depot first).
        """
        batch = self.sample(count)
        arrays = batch.arrays
        return [
            Instance(
                distances=arrays["distances"][b],
                durations=arrays["durations"][b],
                demands=arrays["demands"][b],
                capacity=int(arrays["capacity"][b]),
                num_vehicles=1 if self.problem == "atsp" else None,
                coords=arrays["coords"][b],
                time_windows=arrays["time_windows"][b] if "time_windows" in arrays else None,
                service_times=arrays["service_times"][b] if "service_times" in arrays else None,
                name=f"{name or self.problem}_{b}",
                source={
                    "city": batch.cities[b],
                    "mode": batch.modes[b],
                    "seed": self.seed,
                    "index": b,
                    "pool_nodes": batch.nodes[b].tolist(),
                },
            )
            for b in range(count)
        ]

    def sample(self, count: int) -> Sample:
        """Draw ``count`` instances from this generator's stream (:func:`~nco.envs.sampling.sample_instances`)."""
        return sample_instances(self.pools, self.num_loc, count, self.problem, self.mode, self.rng)
