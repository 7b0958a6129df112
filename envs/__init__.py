"""Environments on real road matrices (installed as ``nco.envs``)."""
