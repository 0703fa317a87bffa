"""Routing evaluation (bench/route_sim.py): data, hidden world, arrivals, baselines, statistics."""
