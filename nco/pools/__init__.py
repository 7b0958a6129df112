"""City pools: real road points with full OSRM distance and duration matrices."""

from nco.pools.pool import CityPool, check_matrices, list_pools, load_pool, split, training_pools

__all__ = ["CityPool", "build_city", "check_matrices", "list_pools", "load_pool", "split", "training_pools"]


def __getattr__(name: str):
    # build_city pulls in the OSRM client; loading a pool should not need it.
    if name == "build_city":
        from nco.pools.build import build_city

        return build_city
    raise AttributeError(f"module 'nco.pools' has no attribute {name!r}")
