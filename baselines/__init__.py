"""Baseline solvers behind one interface (installed as ``nco.baselines``)."""
