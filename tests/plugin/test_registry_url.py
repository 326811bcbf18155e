"""``--registry-url``: subjects resolved from a live ``esr serve``, pinned or latest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.client import RegistryClient
from registry.domain import SchemaInput, SchemaType
from tests.plugin.conftest import ORDER_PLACED, source
from tests.support.server import ServerProcess, running_server

V2 = {**ORDER_PLACED, "properties": {**ORDER_PLACED["properties"], "note": {"type": "string"}}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real ``esr serve`` on SQLite with shop.OrderPlaced v1 and v2 registered."""
    database = tmp_path_factory.mktemp("registry") / "registry.db"
    with running_server(f"sqlite:///{database}") as running:
        with RegistryClient(running.url) as client:
            client.set_config("shop.OrderPlaced", compatibility="NONE")
            for schema in (ORDER_PLACED, V2):
                client.register(
                    "shop.OrderPlaced", SchemaInput(json.dumps(schema), SchemaType.JSON)
                )
        yield running


def _pin(path: Path, version: int) -> None:
    contract = path.read_text()
    path.write_text(
        contract.replace("    topic: orders\n", f"    topic: orders\n    version: {version}\n", 1)
    )


@pytest.mark.parametrize(("pinned", "note_allowed"), [(None, True), (1, False)])
def test_subjects_resolve_from_the_registry(
    shop: pytest.Pytester, server: ServerProcess, pinned: int | None, note_allowed: bool
) -> None:
    if pinned is not None:
        _pin(shop.path / "contracts" / "shop.yaml", pinned)
    shop.makepyfile(
        source(
            """
            import pytest
            from senders import sns_publish

            @pytest.mark.produces("shop.OrderPlaced")
            def test_note():
                sns_publish({"orderId": "o-1", "total": 1, "note": "leave at the door"})
            """
        )
    )

    result = shop.runpytest(
        "-p", "no:randomly", "--registry-url", server.url, "--registry-report", "r.json"
    )

    result.assert_outcomes(**({"passed": 1} if note_allowed else {"failed": 1}))
    report = json.loads((shop.path / "r.json").read_text())
    sns = next(e for e in report["contracts"] if e["transport"] == "sns")
    assert report["source"] == server.url
    assert sns["version"] == (pinned or 2)
    if not note_allowed:
        result.stdout.fnmatch_lines(["*shop.OrderPlaced@1*", "*note*"])


def test_an_unknown_subject_is_reported_against_its_contract(
    shop: pytest.Pytester, server: ServerProcess
) -> None:
    shop.makepyfile(
        source(
            """
            from senders import kinesis_avro

            def test_send(captured_events):
                kinesis_avro({"orderId": "o-1", "reason": "STOCK", "note": None})
            """
        )
    )

    result = shop.runpytest("-p", "no:randomly", "--registry-url", server.url)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*contracts/shop.yaml:16: Subject 'shop.OrderCancelled' not found*"]
    )
