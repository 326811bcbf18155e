"""Benchmarks of the registry: ``python -m bench`` (or ``make bench``); see README.md here."""
