"""Benchmarks: `python -m bench [NAME ...] [-- ARGS]`. Each prints a table; none is a timed assert in the tests."""
