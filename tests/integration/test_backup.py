"""``esr export`` / ``esr import``: a fresh registry loaded from a backup (or straight from a live
registry with ``--from``) answers every read endpoint exactly as the source does, ids included."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from typer.testing import CliRunner, Result

from registry.backup import registration_order, validate_document
from registry.cli.main import app
from tests.support.server import ServerProcess, free_port, running_server

Snapshot = dict[str, tuple[int, Any]]


def _avro(name: str, *fields: tuple[str, str], namespace: str = "com.shop") -> str:
    return json.dumps(
        {
            "type": "record",
            "name": name,
            "namespace": namespace,
            "fields": [{"name": n, "type": t} for n, t in fields],
        }
    )


MONEY = _avro("Money", ("amount", "double"), ("currency", "string"))
ORDER_V1 = json.dumps(
    {
        "type": "record",
        "name": "Order",
        "namespace": "com.shop",
        "fields": [{"name": "id", "type": "string"}, {"name": "total", "type": "com.shop.Money"}],
    }
)
ORDER_V2 = json.dumps(
    {
        "type": "record",
        "name": "Order",
        "namespace": "com.shop",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "total", "type": "com.shop.Money"},
            {"name": "note", "type": ["null", "string"], "default": None},
        ],
    }
)
MONEY_REF = [{"name": "com.shop.Money", "subject": "common-value", "version": 1}]


def _json_schema(*required: str) -> str:
    props = {name: {"type": "string"} for name in ("a", "b", "c")}
    return json.dumps({"type": "object", "properties": props, "required": list(required)})


def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def _register(client: httpx.Client, subject: str, schema: str, **extra: Any) -> Any:
    return _ok(client.post(f"/subjects/{subject}/versions", json={"schema": schema, **extra}))


def _populate(client: httpx.Client) -> None:
    """References, soft and hard deletes, JSON and Avro, configs, modes, ids 10, 25, 26, 40..."""
    _ok(client.put("/mode", json={"mode": "IMPORT"}))
    _register(client, "common-value", MONEY, id=10, version=1)
    _register(client, "orders-value", ORDER_V1, id=25, version=1, references=MONEY_REF)
    _register(client, "orders-value", ORDER_V2, id=26, version=2, references=MONEY_REF)
    _register(client, "shared-value", MONEY, id=10, version=1)
    for n, required in enumerate(("a", "ab", "abc"), start=1):
        _register(
            client, "events-json", _json_schema(*required), schemaType="JSON", id=39 + n, version=n
        )
    _register(client, "legacy-value", _avro("Legacy", ("x", "int")), id=50, version=3)
    _ok(client.put("/mode", json={"mode": "READWRITE"}))
    _ok(client.put("/config", json={"compatibility": "NONE"}))
    meta = {"properties": {"owner": "payments"}}
    _register(client, "scratch-value", _avro("Scratch", ("a", "int")))  # id 51, orphaned below
    _register(client, "scratch-value", _avro("Scratch", ("b", "int")), metadata=meta)  # id 52
    retry = _avro("Retry", ("r", "long"))
    _register(client, "retry-value", retry)  # id 53, version 1 then soft-deleted
    _ok(client.delete("/subjects/retry-value/versions/1"))
    again = _register(client, "retry-value", retry)
    assert (again["id"], again["version"]) == (53, 2)
    _ok(client.delete("/subjects/scratch-value/versions/1"))
    _ok(client.delete("/subjects/scratch-value/versions/1", params={"permanent": "true"}))
    _ok(client.delete("/subjects/events-json/versions/2"))
    _ok(client.delete("/subjects/legacy-value"))
    _ok(
        client.put(
            "/config",
            json={"compatibility": "BACKWARD_TRANSITIVE", "compatibilityPolicy": "LENIENT"},
        )
    )
    _ok(client.put("/config/orders-value", json={"compatibility": "FULL"}))
    _ok(
        client.put("/config/events-json", json={"compatibilityPolicy": "STRICT", "normalize": True})
    )
    _ok(client.put("/mode/common-value", json={"mode": "READONLY"}))
    _ok(client.put("/mode/orders-value", json={"mode": "READWRITE"}))


def _get(client: httpx.Client, path: str, snap: Snapshot) -> Any:
    response = client.get(path)
    snap[path] = (response.status_code, response.json())
    return response.json() if response.status_code == 200 else None


def snapshot(url: str, token: str | None = None) -> Snapshot:
    """The answer of every read endpoint, for every subject, version and id the registry has."""
    snap: Snapshot = {}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(base_url=url, timeout=10, headers=headers) as client:
        for path in ("/config", "/mode", "/subjects", "/subjects?deletedOnly=true", "/schemas"):
            _get(client, path, snap)
        _get(client, "/schemas?deleted=true", snap)
        ids: set[int] = set()
        for subject in _get(client, "/subjects?deleted=true", snap):
            s = quote(subject, safe="")
            _get(client, f"/subjects/{s}/versions", snap)
            for p in (f"/config/{s}", f"/config/{s}?defaultToGlobal=true", f"/mode/{s}"):
                _get(client, p, snap)
            for version in _get(client, f"/subjects/{s}/versions?deleted=true", snap):
                base = f"/subjects/{s}/versions/{version}"
                _get(client, base, snap)
                ids.add(_get(client, f"{base}?deleted=true", snap)["id"])
                _get(client, f"{base}/referencedby", snap)
            _get(client, f"/subjects/{s}/versions/latest", snap)
        for schema_id in range(1, max(ids) + 3):
            _get(client, f"/schemas/ids/{schema_id}", snap)
            for tail in ("subjects", "versions", "subjects?deleted=true", "versions?deleted=true"):
                _get(client, f"/schemas/ids/{schema_id}/{tail}", snap)
    return snap


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A registry holding every kind of state a backup must carry."""
    url = f"sqlite:///{tmp_path_factory.mktemp('source')}/registry.db"
    with running_server(url) as server, httpx.Client(base_url=server.url) as client:
        _populate(client)
        yield server


@pytest.fixture
def target(sqlite_url: str) -> Iterator[ServerProcess]:
    """A fresh, empty registry."""
    with running_server(sqlite_url) as server:
        yield server


def esr(*args: str, stdin: str | None = None) -> Result:
    """Run ``esr`` in-process."""
    return CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)


def test_export_then_import_gives_identical_answers(
    source: ServerProcess, target: ServerProcess, tmp_path: Path
) -> None:
    backup = tmp_path / "backup.json"
    exported = esr("export", str(backup), "--registry", source.url)
    assert exported.exit_code == 0, exported.output
    document = validate_document(json.loads(backup.read_text()))
    assert [s["id"] for s in document["schemas"]] == [10, 25, 26, 40, 41, 42, 50, 51, 52, 53]
    assert document["orphans"] == [51]

    imported = esr("import", str(backup), "--registry", target.url)
    assert imported.exit_code == 0, imported.output
    expected = snapshot(source.url)
    assert snapshot(target.url) == expected
    assert expected["/schemas/ids/26"][1]["references"] == MONEY_REF
    assert expected["/subjects/events-json/versions?deleted=true"] == (200, [1, 2, 3])
    assert expected["/subjects/events-json/versions"] == (200, [1, 3])
    assert expected["/subjects/scratch-value/versions?deleted=true"] == (200, [2])
    assert expected["/schemas/ids/51"][0] == 200, "an orphaned id still answers"
    assert expected["/subjects?deletedOnly=true"] == (200, ["legacy-value"])

    again = esr("import", str(backup), "--registry", target.url)
    assert again.exit_code == 0, again.output
    assert "versions already present" in again.output
    assert snapshot(target.url) == expected, "a second import changes nothing"


def test_import_from_a_live_registry_with_admin_credentials(
    source: ServerProcess, sqlite_url: str
) -> None:
    password = "a-long-admin-password"
    added = esr(
        "users",
        "add",
        "ops",
        "--role",
        "admin",
        "--password-stdin",
        "--database-url",
        sqlite_url,
        stdin=password + "\n",
    )
    assert added.exit_code == 0, added.output
    token = esr("tokens", "create", "ops", "--days", "1", "--database-url", sqlite_url)
    assert token.exit_code == 0, token.output
    with running_server(sqlite_url) as target:
        refused = esr("import", "--from", source.url, "--registry", target.url)
        assert refused.exit_code == 2, "the target requires credentials"
        result = esr(
            "import", "--from", source.url, "--registry", target.url, "--user", f"ops:{password}"
        )
        assert result.exit_code == 0, result.output
        assert snapshot(target.url, token.stdout.strip()) == snapshot(source.url)
        with httpx.Client(base_url=target.url, auth=("ops", password)) as client:
            # the target keeps allocating after the highest imported id
            _ok(client.put("/config/fresh-value", json={"compatibility": "NONE"}))
            fresh = _register(client, "fresh-value", _avro("Fresh", ("f", "int")))
            assert (fresh["id"], fresh["version"]) == (54, 1)


def test_import_into_a_registry_holding_other_ids_reports_the_clash(
    source: ServerProcess, target: ServerProcess, tmp_path: Path
) -> None:
    with httpx.Client(base_url=target.url) as client:
        _register(client, "orders-value", _avro("Other", ("o", "int")))  # id 1, version 1
    result = esr("import", "--from", source.url, "--registry", target.url)
    assert result.exit_code == 1
    assert "orders-value version 1 (id 25)" in result.output + result.stderr
    with httpx.Client(base_url=target.url) as client:
        assert _ok(client.get("/mode")) == {"mode": "READWRITE"}, "global mode restored"
        assert _ok(client.get("/subjects/common-value/versions/1"))["id"] == 10


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a JSON backup"),
        ('{"format": "esr-backup", "formatVersion": 9}', "formatVersion: 9 is not supported"),
        ("[]", "expected a JSON object"),
        (
            json.dumps(
                {
                    "format": "esr-backup",
                    "formatVersion": 1,
                    "config": {},
                    "mode": "READWRITE",
                    "schemas": [],
                    "orphans": [],
                    "subjects": [
                        {"subject": "s", "versions": [{"version": 1, "id": 7, "deleted": False}]}
                    ],
                }
            ),
            "subjects[0].versions[0].id: 7 is not among the schemas",
        ),
    ],
)
def test_a_bad_backup_file_exits_2(tmp_path: Path, content: str, message: str) -> None:
    backup = tmp_path / "bad.json"
    backup.write_text(content)
    result = esr("import", str(backup), "--registry", f"http://127.0.0.1:{free_port()}")
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize("command", ["export", "import"])
def test_an_unreachable_registry_exits_3(tmp_path: Path, command: str) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    args = [str(tmp_path / "out.json"), "--registry", down]
    if command == "import":
        args = ["--from", down, "--registry", down]
    result = esr(command, *args)
    assert result.exit_code == 3
    assert "unreachable" in result.stderr


def test_file_and_from_together_is_a_usage_error(tmp_path: Path) -> None:
    result = esr("import", str(tmp_path / "x.json"), "--from", "http://127.0.0.1:1")
    assert result.exit_code == 2
    assert "either a backup FILE or --from URL" in result.stderr


def test_references_are_registered_before_their_users() -> None:
    schemas = [
        {"id": 1, "schemaType": "AVRO", "schema": "{}", "references": []},
        {
            "id": 2,
            "schemaType": "AVRO",
            "schema": "{}",
            "references": [{"name": "x", "subject": "late", "version": 1}],
        },
        {"id": 3, "schemaType": "AVRO", "schema": "{}", "references": []},
    ]
    document = {
        "schemas": schemas,
        "subjects": [
            {"subject": "user", "versions": [{"version": 1, "id": 2, "deleted": False}]},
            {"subject": "late", "versions": [{"version": 1, "id": 3, "deleted": False}]},
            {"subject": "first", "versions": [{"version": 1, "id": 1, "deleted": False}]},
        ],
    }
    assert registration_order(document) == [("first", 1), ("late", 1), ("user", 1)]
