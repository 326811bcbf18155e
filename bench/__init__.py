"""Benchmarks of the schema formats: ``python -m bench`` (or ``make bench``)."""
