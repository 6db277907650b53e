"""Benchmarks: measured figures are recorded in docs/benchmarks.md."""
