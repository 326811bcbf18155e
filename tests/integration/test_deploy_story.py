"""The whole deploy-safety story through the real entry points, with the plugin verifying.

Two service repositories, each its own directory with its own contracts, schemas and tests:
``orders`` publishes ``shop.OrderPlaced`` on SNS; ``billing`` receives it on an SQS queue
subscribed to the topic, and its handler reads ``id`` and ``total`` out of the SNS message in the
SQS body (two JSON strings deep). Neither declares ``reads:``: billing's read set is what the
plugin records from its handler. Each repository publishes with ``esr contracts publish``,
verifies and publishes its results with ``pytest --registry-publish``, and is recorded as
deployed to ``prod`` with ``esr deployments record``, every command a subprocess, against a real
``esr serve``. Then ``esr can-i-deploy`` judges new versions of orders.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.support.server import ESR, running_server

ORDER: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "total": {"type": "number", "minimum": 0, "maximum": 1000},
        "note": {"type": "string", "maxLength": 50},
    },
    "required": ["id", "total"],
}
PRODUCER = """
import json
import boto3

def place_order():
    boto3.client("sns", region_name="us-east-1").publish(
        TopicArn="arn:aws:sns:us-east-1:123456789012:orders",
        Message=json.dumps({"id": "o-1", "total": 12.5, "note": "leave at the door"}),
    )
"""
PRODUCER_TESTS = """
import pytest
from producer import place_order

@pytest.mark.produces("shop.OrderPlaced")
def test_place_order():
    place_order()
"""
CONSUMER = """
import json

BILLED = []

def handler(event, context):
    for record in event["Records"]:
        order = json.loads(json.loads(record["body"])["Message"])
        BILLED.append((order["id"], order["total"]))
"""
CONSUMER_TESTS = """
import pytest
from handler import handler

@pytest.mark.consumes("shop.OrderPlaced", n=3)
def test_billing_handler(contract_event):
    handler(contract_event, None)
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_", "ESR_"))}
    env |= {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return {k: v for k, v in env.items() if not k.startswith("PYTEST_")}


def _run(args: list[str], cwd: Path) -> tuple[int, str]:
    done = subprocess.run(
        args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=180, check=False
    )
    return done.returncode, done.stdout + done.stderr


class Repo:
    """A service repository: contracts, schemas and tests in its own directory."""

    def __init__(self, root: Path, service: str, contract: str, files: dict[str, str]) -> None:
        self.root, self.service = root, service
        (root / "contracts").mkdir(parents=True)
        (root / "contracts" / f"{service}.yaml").write_text(contract)
        (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
        for name, text in files.items():
            (root / name).write_text(text)
        self.schema(ORDER)

    def schema(self, document: dict[str, Any]) -> None:
        path = self.root / "schemas" / "shop" / "OrderPlaced.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2))

    def release(self, url: str, version: str) -> str:
        """Publish the contracts, then verify with the plugin and publish the results."""
        code, out = _run(
            [str(ESR), "contracts", "publish", ".", "--service", self.service,
             "--version", version, "--registry", url],
            self.root,
        )  # fmt: skip
        assert code == 0, out
        code, out = _run(
            [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider",
             "--registry-publish", url, "--service-name", self.service,
             "--service-version", version],
            self.root,
        )  # fmt: skip
        assert code == 0, out
        assert "registry: published" in out, out
        return out


def _esr(*args: str) -> tuple[int, str]:
    return _run([str(ESR), *args], Path.cwd())


def test_publish_verify_deploy_and_can_i_deploy(tmp_path: Path) -> None:
    orders = Repo(
        tmp_path / "orders",
        "orders",
        "service: orders\nproduces:\n  - subject: shop.OrderPlaced\n"
        "    transport: sns\n    topic: orders\n",
        {"producer.py": PRODUCER, "test_orders.py": PRODUCER_TESTS},
    )
    billing = Repo(
        tmp_path / "billing",
        "billing",
        "service: billing\nconsumes:\n  - subject: shop.OrderPlaced\n"
        "    transport: sqs\n    queue: billing\n    via: sns\n",
        {"handler.py": CONSUMER, "test_billing.py": CONSUMER_TESTS},
    )
    with running_server(f"sqlite:///{tmp_path / 'registry.db'}") as server:
        url = server.url
        assert httpx.put(f"{url}/api/environments/prod").status_code == 200
        for repo in (billing, orders):
            repo.release(url, "1")
            code, out = _esr(
                "deployments", "record", "--service", repo.service, "--version", "1",
                "--env", "prod", "--registry", url,
            )  # fmt: skip
            assert code == 0, out

        # The read set billing's handler was seen to read, through SNS-in-SQS string bodies.
        consumers = httpx.get(f"{url}/api/environments/prod/consumers").json()
        assert [(c["service"], c["reads"]) for c in consumers] == [("billing", ["/id", "/total"])]

        def can_i_deploy(version: str) -> tuple[int, str]:
            return _esr(
                "can-i-deploy", "--service", "orders", "--version", version, "--to", "prod",
                "--registry", url,
            )  # fmt: skip

        # A compatible change: a new optional property.
        changed = json.loads(json.dumps(ORDER))
        changed["properties"]["tag"] = {"type": "string"}
        orders.schema(changed)
        orders.release(url, "2")
        code, out = can_i_deploy("2")
        assert code == 0, out
        assert out.rstrip().endswith("can-i-deploy orders 2 to prod: yes")
        assert "Warnings:" not in out

        # The total may now exceed 1000: billing reads /total with the old limit.
        changed = json.loads(json.dumps(ORDER))
        del changed["properties"]["total"]["maximum"]
        orders.schema(changed)
        orders.release(url, "3")
        code, out = can_i_deploy("3")
        assert code == 1, out
        assert "billing 1 <- orders 3 on shop.OrderPlaced" in out
        assert "at /total" in out and "counterexample event" in out
        assert out.rstrip().endswith("can-i-deploy orders 3 to prod: no")

        # Notes may now be longer: a breaking change, but billing never reads /note.
        changed = json.loads(json.dumps(ORDER))
        changed["properties"]["note"]["maxLength"] = 200
        orders.schema(changed)
        orders.release(url, "4")
        code, out = can_i_deploy("4")
        assert code == 0, out
        assert "Warnings:" in out
        assert "orders 4 changes /note, which billing 1 does not read" in out
        assert out.rstrip().endswith("can-i-deploy orders 4 to prod: yes")

        # A version that was never published.
        code, out = can_i_deploy("5")
        assert code == 2, out
        assert "never been published" in out and out.rstrip().endswith(": unknown")
