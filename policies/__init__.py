"""Matrix-aware attention policies (installed as ``nco.policies``)."""
