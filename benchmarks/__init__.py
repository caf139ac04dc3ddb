"""Benchmark scripts; each is runnable as `.venv/bin/python benchmarks/<name>.py`."""
