"""Matrix-aware attention policies (installed as ``nco.policies``).

- :mod:`~nco.policies.encoder`: node features + attention bias from ``(d_ij, d_ji)``;
- :mod:`~nco.policies.decoder`: attention-model pointer with a distance-from-current-node term;
- :mod:`~nco.policies.policy`: :class:`MatrixPolicy` and its JSON-able :class:`PolicyConfig`, the
  decoding loop (greedy, sampling, POMO multistart);
- :mod:`~nco.policies.model` / :mod:`~nco.policies.training`: REINFORCE on Lightning with a size
  curriculum (``nco train``);
- :mod:`~nco.policies.checkpoint`: ``save_policy`` / ``load_policy`` (weights + config only);
- :mod:`~nco.policies.inference`: :class:`PolicySolver` (``solve``, ``best_k``) on Instances;
- :mod:`~nco.policies.solver`: the baseline registry's ``solve(instance, time_limit, seed, initial)``;
- :mod:`~nco.policies.evaluate`: ``nco eval policy``.
"""
