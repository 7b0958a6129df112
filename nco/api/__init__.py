"""The solve API: VROOM-shaped JSON in and out, from Python (``nco.solve``), the CLI and HTTP.

Kept import-light (no pydantic, no FastAPI) so that ``nco --help`` stays fast.
"""

# The methods the API offers: the policy-seeded refiner, the policy alone, and two baselines.
METHODS = ("nco", "policy", "ortools", "pyvrp")
