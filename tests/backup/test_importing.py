"""Import without a terminal: ids kept, progress per version, re-runs harmless."""

from __future__ import annotations

import pytest

from registry.backup import Phase, Progress, export_registry, import_document
from registry.client import RegistryClient
from registry.errors import InvalidInput
from tests.backup.conftest import Registry

#: The source's versions in registration order: Money before the Orders that reference it.
ORDER = ["common-value v1", "orders-value v1", "orders-value v2", "events-value v1"]


def test_every_version_is_reported_as_it_is_registered(
    source: RegistryClient, registry: Registry
) -> None:
    reports: list[Progress] = []

    report = import_document(registry("target"), export_registry(source), progress=reports.append)

    assert reports == [
        Progress(Phase.IMPORTING, 0, 4),
        *(Progress(Phase.IMPORTING, n, 4, item) for n, item in enumerate(ORDER, start=1)),
    ]
    assert (report.registered, report.soft_deleted, report.failures) == (4, 1, [])


def test_the_target_answers_as_the_source_does(source: RegistryClient, registry: Registry) -> None:
    target = registry("target")

    import_document(target, export_registry(source))

    for subject in ("common-value", "orders-value", "events-value"):
        for version in source.version_numbers(subject, deleted=True):
            assert target.version_of(subject, version, deleted=True) == source.version_of(
                subject, version, deleted=True
            )
        assert target.version_numbers(subject) == source.version_numbers(subject)
        assert target.own_config(subject) == source.own_config(subject)
        assert target.own_mode(subject) == source.own_mode(subject)
    assert target.mode(None) == "READWRITE"


def test_a_second_import_finds_everything_present(
    source: RegistryClient, registry: Registry
) -> None:
    target = registry("target")
    document = export_registry(source)
    import_document(target, document)

    again = import_document(target, document)

    assert (again.registered, again.present, again.failures) == (0, 4, [])
    assert dict(again.rows())["versions already present"] == 4


def test_an_invalid_document_is_refused_before_the_target_is_touched(
    registry: Registry,
) -> None:
    target = registry("target")

    with pytest.raises(InvalidInput, match="format"):
        import_document(target, {"format": "something else"})
    assert target.mode(None) == "READWRITE"
