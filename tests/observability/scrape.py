"""Reading ``/metrics`` answers in tests."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample by (name, labels)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[sample.name, frozenset(sample.labels.items())] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    """The value of one sample (0 when absent, as a counter not yet incremented)."""
    return samples(text).get((name, frozenset(labels.items())), 0.0)


def label_values(text: str, name: str, label: str) -> set[str]:
    """Every value of ``label`` among the samples of ``name``."""
    return {
        dict(labels)[label]
        for (sample, labels), _ in samples(text).items()
        if sample == name and label in dict(labels)
    }
