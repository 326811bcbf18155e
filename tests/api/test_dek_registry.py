"""/dek-registry/v1 on the wire: KEKs and DEKs, soft and hard deletes, Confluent's error codes,
roles, secrets kept out of answers, and the audit log (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from registry.api.app import create_app
from registry.config import Settings
from registry.domain import Role
from registry.security import Authenticator
from tests.support.api import Api, basic

KEKS = "/dek-registry/v1/keks"
MATERIAL = base64.b64encode(b"wrapped-by-the-kms-0123456789abcdef").decode()
OTHER_MATERIAL = base64.b64encode(b"wrapped-by-the-kms-fedcba9876543210").decode()


def done(response: Any) -> None:
    """A 204 answer (deletes and undeletes), with no body."""
    assert response.status_code == 204, response.text
    assert response.content == b""


def kek(name: str = "orders", **extra: Any) -> dict[str, Any]:
    return {"name": name, "kmsType": "local-kms", "kmsKeyId": "key-1", **extra}


def dek(subject: str = "orders-value", **extra: Any) -> dict[str, Any]:
    return {"subject": subject, "encryptedKeyMaterial": MATERIAL, **extra}


def make(api: Api, name: str = "orders", subject: str = "orders-value", **extra: Any) -> None:
    api.ok(api.http.post(KEKS, json=kek(name, **extra)))
    api.ok(api.http.post(f"{KEKS}/{name}/deks", json=dek(subject)))


def test_kek_create_read_list_update(api: Api) -> None:
    created = api.ok(api.http.post(KEKS, json=kek(doc="for orders", kmsProps={"region": "eu"})))
    assert created.pop("ts") > 0
    assert created == {
        "name": "orders",
        "kmsType": "local-kms",
        "kmsKeyId": "key-1",
        "kmsProps": {"region": "eu"},
        "doc": "for orders",
        "shared": False,
    }
    assert api.ok(api.http.get(f"{KEKS}/orders"))["doc"] == "for orders"
    api.ok(api.http.post(KEKS, json=kek("payments", kmsType="AWS")))
    assert api.ok(api.http.get(f"{KEKS}/payments"))["kmsType"] == "aws-kms"  # as Confluent
    assert api.ok(api.http.get(KEKS)) == ["orders", "payments"]
    updated = api.ok(api.http.put(f"{KEKS}/orders", json={"doc": "new", "shared": True}))
    assert (updated["doc"], updated["shared"], updated["kmsProps"]) == (
        "new",
        True,
        {"region": "eu"},
    )


def test_kek_errors(api: Api) -> None:
    api.ok(api.http.post(KEKS, json=kek()))
    message = api.error(api.http.post(KEKS, json=kek(kmsKeyId="key-2")), 409, 40971)
    assert message == "Key 'orders' already exists; use a different value"
    api.error(api.http.post(KEKS, json=kek()), 409, 40971)  # the same key again, as Confluent
    assert "Key 'nope' not found" in api.error(api.http.get(f"{KEKS}/nope"), 404, 40470)
    api.error(api.http.put(f"{KEKS}/nope", json={"doc": "x"}), 404, 40470)
    for bad in ("1abc", "has space", "a" * 65, "dot.ted"):
        api.error(api.http.post(KEKS, json=kek(bad)), 422, 42271)
        api.error(api.http.get(f"{KEKS}/{bad}"), 422, 42271)
    assert "kmsKeyId" in api.error(
        api.http.post(KEKS, json={"name": "k", "kmsType": "x"}), 422, 42271
    )
    assert "kmsType" in api.error(
        api.http.post(KEKS, json={"name": "k", "kmsKeyId": "x"}), 422, 42271
    )
    api.error(api.http.post(KEKS, json={"name": 1, "kmsType": "x", "kmsKeyId": "y"}), 422, 422)
    # NUL characters, which PostgreSQL cannot store, are refused like Confluent's invalid keys.
    for field in ("kmsType", "kmsKeyId", "doc"):
        api.error(api.http.post(KEKS, json=kek("nul", **{field: "a\u0000b"})), 422, 42271)
    api.error(api.http.post(KEKS, json=kek("nul", kmsProps={"a\u0000": "b"})), 422, 42271)
    api.error(api.http.put(f"{KEKS}/orders", json={"kmsProps": {"a": "\u0000"}}), 422, 42271)
    api.error(api.http.put(f"{KEKS}/orders", json={"doc": "\u0000"}), 422, 42271)
    api.error(api.http.get(f"{KEKS}/orders", params={"context": ".other"}), 422, 42271)
    assert api.ok(api.http.get(f"{KEKS}/orders", params={"context": "."}))["name"] == "orders"


def test_kek_soft_delete_undelete_and_hard_delete(api: Api) -> None:
    make(api)
    message = api.error(api.http.delete(f"{KEKS}/orders"), 422, 42272)
    assert message == "One or more references exist to the key orders"
    done(api.http.delete(f"{KEKS}/orders/deks/orders-value"))
    done(api.http.delete(f"{KEKS}/orders"))  # only soft-deleted DEKs left
    api.error(api.http.get(f"{KEKS}/orders"), 404, 40470)
    assert api.ok(api.http.get(f"{KEKS}/orders", params={"deleted": "true"}))["deleted"] is True
    assert api.ok(api.http.get(KEKS)) == []
    assert api.ok(api.http.get(KEKS, params={"deleted": "true"})) == ["orders"]
    # A permanent delete needs every DEK gone for good, and the KEK soft-deleted first.
    api.error(api.http.delete(f"{KEKS}/orders", params={"permanent": "true"}), 422, 42272)
    path = f"{KEKS}/orders/deks/orders-value"
    done(api.http.delete(path, params={"permanent": "true"}))
    done(api.http.post(f"{KEKS}/orders/undelete"))
    assert "deleted" not in api.ok(api.http.get(f"{KEKS}/orders"))
    message = api.error(api.http.delete(f"{KEKS}/orders", params={"permanent": "true"}), 404, 40471)
    assert message == "Key 'orders' was not deleted first before being permanently deleted"
    done(api.http.delete(f"{KEKS}/orders"))
    done(api.http.delete(f"{KEKS}/orders", params={"permanent": "true"}))
    api.error(api.http.get(f"{KEKS}/orders", params={"deleted": "true"}), 404, 40470)
    api.error(api.http.delete(f"{KEKS}/orders"), 404, 40470)
    api.error(api.http.post(f"{KEKS}/orders/undelete"), 404, 40470)


def test_creating_a_soft_deleted_kek_again_undeletes_it(api: Api) -> None:
    api.ok(api.http.post(KEKS, json=kek()))
    done(api.http.delete(f"{KEKS}/orders"))
    api.error(api.http.post(KEKS, json=kek(kmsKeyId="another")), 409, 40971)
    assert "deleted" not in api.ok(api.http.post(KEKS, json=kek()))
    assert api.ok(api.http.get(KEKS)) == ["orders"]


def test_dek_create_read_versions(api: Api) -> None:
    api.ok(api.http.post(KEKS, json=kek()))
    created = api.ok(api.http.post(f"{KEKS}/orders/deks", json=dek()))
    assert created.pop("ts") > 0
    assert created == {
        "kekName": "orders",
        "subject": "orders-value",
        "version": 1,
        "algorithm": "AES256_GCM",
        "encryptedKeyMaterial": MATERIAL,
    }
    second = dek(version=2, encryptedKeyMaterial=OTHER_MATERIAL)
    api.ok(api.http.post(f"{KEKS}/orders/deks/orders-value", json=second))
    siv = dek(algorithm="AES256_SIV")
    api.ok(api.http.post(f"{KEKS}/orders/deks/orders-value", json=siv))
    api.ok(
        api.http.post(f"{KEKS}/orders/deks/payments-value", json={"encryptedKeyMaterial": MATERIAL})
    )
    assert api.ok(api.http.get(f"{KEKS}/orders/deks")) == ["orders-value", "payments-value"]
    base = f"{KEKS}/orders/deks/orders-value"
    assert api.ok(api.http.get(base))["version"] == 1  # the subject alone means version 1
    assert api.ok(api.http.get(f"{base}/versions")) == [1, 2]
    assert api.ok(api.http.get(f"{base}/versions", params={"algorithm": "AES256_SIV"})) == [1]
    for latest in ("latest", "-1"):
        found = api.ok(api.http.get(f"{base}/versions/{latest}"))
        assert (found["version"], found["encryptedKeyMaterial"]) == (2, OTHER_MATERIAL)
    assert (
        api.ok(api.http.get(f"{base}/versions/1", params={"algorithm": "AES256_SIV"}))["algorithm"]
        == "AES256_SIV"
    )
    assert "keyMaterial" not in api.ok(api.http.get(f"{base}/versions/2"))


def test_dek_errors(api: Api) -> None:
    api.ok(api.http.post(KEKS, json=kek()))
    api.ok(api.http.post(KEKS, json=kek("shared_kek", shared=True)))
    api.error(api.http.post(f"{KEKS}/nope/deks", json=dek()), 404, 40470)
    api.ok(api.http.post(f"{KEKS}/orders/deks", json=dek()))
    assert (
        api.error(
            api.http.post(f"{KEKS}/orders/deks", json=dek(encryptedKeyMaterial=OTHER_MATERIAL)),
            409,
            40971,
        )
        == "Key 'orders-value' already exists; use a different value"
    )
    message = api.error(api.http.post(f"{KEKS}/orders/deks", json={"subject": "s"}), 422, 42271)
    assert "encryptedKeyMaterial" in message
    # A shared KEK asks the registry to generate the DEK through the KMS: it has no KMS access.
    message = api.error(api.http.post(f"{KEKS}/shared_kek/deks", json={"subject": "s"}), 403, 40370)
    assert "no KMS access" in message and "encryptedKeyMaterial" in message
    api.error(
        api.http.post(f"{KEKS}/orders/deks/s", json=dek("s"), params={"rewrap": "true"}), 403, 40370
    )
    api.error(api.http.post(f"{KEKS}/orders/deks/s", json=dek("other")), 422, 42271)
    api.error(api.http.post(f"{KEKS}/orders/deks", json=dek("")), 422, 42271)
    api.error(api.http.post(f"{KEKS}/orders/deks", json=dek("a\u0001b")), 422, 42271)
    api.error(
        api.http.post(f"{KEKS}/orders/deks", json=dek(encryptedKeyMaterial="%%%")), 422, 42271
    )
    api.error(api.http.post(f"{KEKS}/orders/deks", json=dek(version=0)), 422, 422)
    api.error(api.http.post(f"{KEKS}/orders/deks", json=dek(algorithm="DES")), 422, 422)
    base = f"{KEKS}/orders/deks/orders-value"
    assert (
        api.error(api.http.get(f"{base}/versions/2"), 404, 40470) == "Key 'orders-value' not found"
    )
    api.error(api.http.get(f"{base}/versions/0"), 422, 42202)
    api.error(api.http.get(f"{KEKS}/nope/deks/orders-value"), 404, 40470)
    api.error(api.http.get(f"{KEKS}/nope/deks"), 404, 40470)
    api.error(api.http.get(base, params={"algorithm": "DES"}), 422, 422)
    assert api.ok(api.http.get(f"{KEKS}/orders/deks/unknown/versions")) == []


def test_dek_soft_delete_undelete_and_hard_delete(api: Api) -> None:
    make(api)
    base = f"{KEKS}/orders/deks/orders-value"
    api.ok(api.http.post(base, json=dek(version=2, encryptedKeyMaterial=OTHER_MATERIAL)))
    api.error(api.http.delete(f"{base}/versions/2", params={"permanent": "true"}), 404, 40471)
    done(api.http.delete(f"{base}/versions/latest"))
    assert api.ok(api.http.get(f"{base}/versions")) == [1]
    assert api.ok(api.http.get(f"{base}/versions", params={"deleted": "true"})) == [1, 2]
    api.error(api.http.get(f"{base}/versions/2"), 404, 40470)
    assert api.ok(api.http.get(f"{base}/versions/2", params={"deleted": "true"}))["deleted"] is True
    assert api.ok(api.http.get(f"{base}/versions/latest"))["version"] == 1
    done(api.http.post(f"{base}/versions/2/undelete"))
    assert api.ok(api.http.get(f"{base}/versions")) == [1, 2]
    # Every version at once; a DEK cannot be undeleted while its KEK is deleted.
    api.error(api.http.delete(base, params={"permanent": "true"}), 404, 40471)
    done(api.http.delete(base))
    assert api.ok(api.http.get(f"{KEKS}/orders/deks")) == []
    assert api.ok(api.http.get(f"{KEKS}/orders/deks", params={"deleted": "true"})) == [
        "orders-value"
    ]
    done(api.http.delete(f"{KEKS}/orders"))
    message = api.error(api.http.post(f"{base}/undelete"), 404, 40472)
    assert message == "Key 'orders' must be undeleted first"
    done(api.http.post(f"{KEKS}/orders/undelete"))
    done(api.http.post(f"{base}/undelete"))
    assert api.ok(api.http.get(f"{base}/versions")) == [1, 2]
    done(api.http.delete(base))
    done(api.http.delete(base, params={"permanent": "true"}))
    api.error(api.http.get(f"{base}/versions/1", params={"deleted": "true"}), 404, 40470)
    api.error(api.http.delete(base), 404, 40470)
    api.error(api.http.post(f"{base}/undelete"), 404, 40470)
    # A DEK created again over a soft-deleted one with the same material brings it back.
    api.ok(api.http.post(f"{KEKS}/orders/deks", json=dek("again")))
    done(api.http.delete(f"{KEKS}/orders/deks/again"))
    api.error(
        api.http.post(
            f"{KEKS}/orders/deks", json=dek("again", encryptedKeyMaterial=OTHER_MATERIAL)
        ),
        409,
        40971,
    )
    assert "deleted" not in api.ok(api.http.post(f"{KEKS}/orders/deks", json=dek("again")))


def test_kms_secrets_are_never_answered_nor_audited(api: Api) -> None:
    props = {"secret": "s3cr3t-local", "secret.access.key": "aws-s3cr3t", "region": "eu"}
    created = api.ok(api.http.post(KEKS, json=kek(kmsProps=props)))
    assert created["kmsProps"] == {"region": "eu"}
    # An update without the secrets (as read back) keeps them; a new value replaces one.
    updated = api.ok(api.http.put(f"{KEKS}/orders", json={"kmsProps": {"region": "us"}}))
    assert updated["kmsProps"] == {"region": "us"}
    api.ok(api.http.post(f"{KEKS}/orders/deks", json=dek()))
    audit = api.ok(api.http.get("/api/audit"))
    actions = [entry["action"] for entry in audit]
    assert actions[:3] == ["create_dek", "update_kek", "create_kek"]
    text = json.dumps(audit)
    for secret in ("s3cr3t-local", "aws-s3cr3t", MATERIAL):
        assert secret not in text
    assert audit[0]["subject"] == "orders-value" and audit[0]["version"] == 1


def test_every_write_is_audited(api: Api) -> None:
    make(api)
    base = f"{KEKS}/orders/deks/orders-value"
    done(api.http.delete(f"{base}/versions/1"))
    done(api.http.post(f"{base}/versions/1/undelete"))
    done(api.http.delete(base))
    done(api.http.delete(base, params={"permanent": "true"}))
    done(api.http.delete(f"{KEKS}/orders"))
    done(api.http.post(f"{KEKS}/orders/undelete"))
    actions = [entry["action"] for entry in api.ok(api.http.get("/api/audit"))]
    assert actions[:8] == [
        "undelete_kek",
        "delete_kek",
        "delete_dek",
        "delete_dek",
        "undelete_dek",
        "delete_dek",
        "create_dek",
        "create_kek",
    ]


@pytest.fixture
def secured(sqlite_url: str) -> Iterator[tuple[Api, Authenticator]]:
    app = create_app(Settings(database_url=sqlite_url, auth_refresh_seconds=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client), app.state.authenticator


def test_readers_read_writers_create_admins_delete(secured: tuple[Api, Authenticator]) -> None:
    api, auth = secured
    auth.add_user("admin", "admin-password", Role.ADMIN)
    auth.add_user("reader", "reader-password", Role.READER)
    auth.add_user("writer", "writer-password", Role.WRITER, ("orders-*",))
    r = basic("reader", "reader-password")
    w = basic("writer", "writer-password")
    a = basic("admin", "admin-password")
    api.error(api.http.get(KEKS), 401, 40101)
    api.error(api.http.post(KEKS, json=kek(), headers=r), 403, 40301)
    api.ok(api.http.post(KEKS, json=kek(), headers=w))
    api.ok(api.http.post(f"{KEKS}/orders/deks", json=dek(), headers=w))
    api.ok(api.http.post(f"{KEKS}/orders/deks/orders-key", json=dek("orders-key"), headers=w))
    # The writer's subjects bound its DEKs, whether the subject is in the path or the body.
    api.error(
        api.http.post(f"{KEKS}/orders/deks", json=dek("payments-value"), headers=w), 403, 40301
    )
    api.error(
        api.http.post(f"{KEKS}/orders/deks/payments-value", json=dek("payments-value"), headers=w),
        403,
        40301,
    )
    assert api.ok(api.http.get(KEKS, headers=r)) == ["orders"]
    assert api.ok(api.http.get(f"{KEKS}/orders/deks/orders-value", headers=r))["version"] == 1
    for headers in (r, w):
        api.error(api.http.put(f"{KEKS}/orders", json={"doc": "x"}, headers=headers), 403, 40301)
        api.error(api.http.delete(f"{KEKS}/orders/deks/orders-value", headers=headers), 403, 40301)
        api.error(api.http.delete(f"{KEKS}/orders", headers=headers), 403, 40301)
        api.error(api.http.post(f"{KEKS}/orders/undelete", headers=headers), 403, 40301)
    done(api.http.delete(f"{KEKS}/orders/deks/orders-value", headers=a))
    audit = api.ok(api.http.get("/api/audit", headers=a))
    assert [(e["action"], e["actor"]) for e in audit[:3]] == [
        ("delete_dek", "admin"),
        ("create_dek", "writer"),
        ("create_dek", "writer"),
    ]
