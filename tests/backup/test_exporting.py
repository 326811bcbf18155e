"""Export without a terminal: the whole registry read into a document, progress per subject."""

from __future__ import annotations

from registry.backup import Phase, Progress, export_registry, validate_document
from registry.client import RegistryClient

SUBJECTS = ["common-value", "events-value", "orders-value"]


def test_every_subject_is_reported_as_it_is_read(source: RegistryClient) -> None:
    reports: list[Progress] = []

    export_registry(source, progress=reports.append)

    assert reports == [
        Progress(Phase.EXPORTING, 0, 3),
        *(Progress(Phase.EXPORTING, n, 3, name) for n, name in enumerate(SUBJECTS, start=1)),
    ]


def test_the_document_holds_ids_deletions_references_config_and_mode(
    source: RegistryClient,
) -> None:
    document = validate_document(export_registry(source))

    subjects = {s["subject"]: s for s in document["subjects"]}
    assert sorted(subjects) == SUBJECTS
    orders = subjects["orders-value"]
    assert [(v["version"], v["deleted"]) for v in orders["versions"]] == [(1, True), (2, False)]
    assert orders["config"] == {"compatibilityLevel": "FULL"}
    assert subjects["events-value"]["mode"] == "READONLY"
    schemas = {s["id"]: s for s in document["schemas"]}
    order_id = orders["versions"][1]["id"]
    assert schemas[order_id]["references"] == [
        {"name": "com.shop.Money", "subject": "common-value", "version": 1}
    ]
    assert document["source"] == "http://source"
    assert document["orphans"] == []
