"""Benchmarks against native tools; run each from the repository root as `python -m bench.<name>`."""
