"""``--registry-url``: subjects resolved from a live ``esr serve``, pinned or latest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.client import RegistryClient
from registry.domain import SchemaInput, SchemaType
from tests.plugin.conftest import ORDER_CANCELLED, ORDER_PLACED, source
from tests.support.server import ServerProcess, running_server

V2 = {**ORDER_PLACED, "properties": {**ORDER_PLACED["properties"], "note": {"type": "string"}}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real ``esr serve`` on SQLite: shop.OrderPlaced v1 and v2, shop.OrderCancelled v1."""
    database = tmp_path_factory.mktemp("registry") / "registry.db"
    with running_server(f"sqlite:///{database}") as running:
        with RegistryClient(running.url) as client:
            client.set_config("shop.OrderPlaced", compatibility="NONE")
            for schema in (ORDER_PLACED, V2):
                client.register(
                    "shop.OrderPlaced", SchemaInput(json.dumps(schema), SchemaType.JSON)
                )
            cancelled = SchemaInput(json.dumps(ORDER_CANCELLED), SchemaType.AVRO)
            client.register("shop.OrderCancelled", cancelled)
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


def test_an_unknown_subject_is_reported_when_the_contracts_load(
    shop: pytest.Pytester, server: ServerProcess
) -> None:
    (shop.path / "schemas" / "shop" / "OrderReturned.json").write_text(json.dumps(ORDER_PLACED))
    (shop.path / "contracts" / "more.yaml").write_text(
        "service: more\nconsumes:\n  - subject: shop.OrderPlacd\n    transport: sqs\n"
        "  - subject: shop.OrderReturned\n    transport: sqs\n"
        "  - subject: shop.OrderPlaced\n    transport: sqs\n    version: 9\n"
    )
    shop.makepyfile("def test_uses(event_contracts):\n    pass\n")

    result = shop.runpytest("-p", "no:randomly", "--registry-url", server.url)

    result.assert_outcomes(errors=1)
    registry = f"the registry at {server.url}"
    result.stdout.fnmatch_lines(
        [
            "*contract tests cannot start: contracts/more.yaml:3: unknown subject "
            f"'shop.OrderPlacd': not in {registry}; did you mean 'shop.OrderPlaced'?",
            f"contracts/more.yaml:5: unknown subject 'shop.OrderReturned': not in {registry} "
            "(the schemas tree schemas/ has it: register it, e.g. with esr push, or test "
            "against the schemas tree without a registry URL)",
            f"contracts/more.yaml:7: subject 'shop.OrderPlaced' has no version 9 in {registry}",
        ]
    )
    result.stdout.no_fnmatch_line("*Traceback*")
