"""Hybrid genetic search that refines starting solutions (the policy's, by default).

Entry points: :func:`refine` (a :class:`Result` with the anytime curve) and :func:`solve`
(the common solver signature, registry name ``"ga"``).
"""

from nco.refine.genetic import GeneticAlgorithm, GeneticParams
from nco.refine.penalties import PenaltyParams
from nco.refine.population import PopulationParams
from nco.refine.result import Result
from nco.refine.solver import refine, solve

__all__ = ["GeneticAlgorithm", "GeneticParams", "PenaltyParams", "PopulationParams", "Result", "refine", "solve"]
