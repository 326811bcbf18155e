"""The gate and the contract tests read ``contracts/`` alike: one loader, one format.

Each case adds one file to the same folder of valid contracts and feeds the folder to both
readers: the gate's index builder (``registry.cli.gate.contracts``) and the plugin's loader
(``registry.contract_testing``). They must accept the same services and subjects, or refuse
with the same message. The four shapes the gate used to accept and the plugin refused (a bare
subject, several YAML documents, a binding without transport, a file under a hidden folder)
are each a case.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from registry.cli.gate.contracts import ContractIndex
from registry.cli.gate.contracts import load_contracts as gate_index
from registry.contract_testing import ContractSet, Role
from registry.contract_testing import load_contracts as plugin_contracts
from registry.errors import InvalidInput

VALID = {
    "contracts/orders.yaml": (
        "service: orders\n"
        "produces:\n"
        "  - subject: orders.OrderPlaced\n"
        "    transport: eventbridge\n"
        "    source: shop.orders\n"
        "    detail-type: OrderPlaced\n"
    ),
    "contracts/team/billing.yml": (
        "service: billing\n"
        "consumes:\n"
        "  - subject: orders.OrderPlaced\n"
        "    transport: sqs\n"
        "    via: eventbridge\n"
        "produces:\n"
        "  - subject: billing.Invoiced\n"
        "    transport: sns\n"
        "    topic: invoices\n"
    ),
}

# name: (file, text, the message both give, or None when both accept the folder)
CASES: dict[str, tuple[str, str, str | None]] = {
    "valid": ("contracts/mail.yaml", "service: mail\nconsumes: []\n", None),
    "bare subject": (
        "contracts/mail.yaml",
        "service: mail\nconsumes:\n  - billing.Invoiced\n",
        "contracts/mail.yaml:3: consumes[0] must be a mapping with 'subject' and 'transport', "
        "not the bare subject 'billing.Invoiced'",
    ),
    "several documents": (
        "contracts/mail.yaml",
        "service: mail\n---\nservice: audit\n",
        "contracts/mail.yaml:2: a second YAML document; a contract file holds the contract of "
        "one service: give each service its own file",
    ),
    "missing transport": (
        "contracts/mail.yaml",
        "service: mail\nconsumes:\n  - subject: billing.Invoiced\n",
        "contracts/mail.yaml:3: consumes[0] has no 'transport' (one of eventbridge, sns, sqs, "
        "kinesis, dynamodb, stepfunctions, eventhubs, servicebus, apigateway)",
    ),
    "hidden folder": (
        "contracts/.github/mail.yaml",
        "service: mail\nconsumes:\n  - billing.Invoiced\n---\nservice: audit\n",
        None,
    ),
}


def _outcome(read: Callable[[], object]) -> tuple[str, object]:
    """``("ok", value)`` or ``("refused", message)`` of calling ``read()``."""
    try:
        return "ok", read()
    except InvalidInput as exc:
        return "refused", exc.message


def _plugin_view(contracts: ContractSet) -> dict[Role, dict[str, set[str]]]:
    view: dict[Role, dict[str, set[str]]] = {Role.PRODUCES: {}, Role.CONSUMES: {}}
    for binding in contracts.bindings():
        view[binding.role].setdefault(binding.subject, set()).add(binding.service)
    return view


def _gate_view(index: ContractIndex) -> dict[Role, dict[str, set[str]]]:
    return {
        Role.PRODUCES: {subject: set(names) for subject, names in index.producers.items()},
        Role.CONSUMES: {subject: set(names) for subject, names in index.consumers.items()},
    }


@pytest.mark.parametrize("case", list(CASES))
def test_gate_and_plugin_read_the_same_folder_alike(tmp_path: Path, case: str) -> None:
    name, text, message = CASES[case]
    for path, content in {**VALID, name: text}.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(content)
    folder = tmp_path / "contracts"

    gate = _outcome(lambda: gate_index(folder, relative_to=tmp_path))
    plugin = _outcome(lambda: plugin_contracts(folder, relative_to=tmp_path))

    if message is not None:
        assert gate == plugin == ("refused", message)
        return
    assert gate[0] == plugin[0] == "ok", (gate, plugin)
    assert isinstance(gate[1], ContractIndex) and isinstance(plugin[1], ContractSet)
    assert _gate_view(gate[1]) == _plugin_view(plugin[1])
    services = {c.service for c in plugin[1].contracts}
    assert services == ({"orders", "billing", "mail"} if case == "valid" else {"orders", "billing"})
    assert gate[1].services("orders.OrderPlaced", ["producers", "consumers"]) == (
        "billing",
        "orders",
    )
