"""The DEK registry's small rules: names, subjects, KMS types and KMS secrets in kmsProps."""

from __future__ import annotations

import pytest

from registry import errors
from registry.service.dek_keys import (
    check_algorithm,
    check_context,
    check_material,
    check_name,
    check_subject,
    kek_detail,
    merged_props,
    normalize_kms_type,
    redacted,
    same_kek,
)
from registry.storage.dek_repository import Kek


@pytest.mark.parametrize("name", ["a", "_x", "orders_pii-1", "Ünïcode", "k" * 64])
def test_names_confluent_accepts(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("name", [None, "", "1a", "-a", "a b", "a.b", "a/b", "k" * 65])
def test_names_confluent_refuses(name: str | None) -> None:
    with pytest.raises(errors.InvalidKey):
        check_name(name)


@pytest.mark.parametrize("subject", [None, "", "a\nb", "a\x7fb", "a\x85b", "s" * 256])
def test_subjects_refused(subject: str | None) -> None:
    with pytest.raises(errors.InvalidKey):
        check_subject(subject)


def test_subjects_accepted() -> None:
    assert check_subject(":.ctx:orders/value with spaces") == ":.ctx:orders/value with spaces"


def test_algorithm_context_and_material() -> None:
    assert check_algorithm(None) == "AES256_GCM"
    assert check_algorithm("AES256_SIV") == "AES256_SIV"
    check_context(None)
    check_context(".")
    for call in (
        lambda: check_algorithm("aes256_gcm"),
        lambda: check_context(".tenant"),
        lambda: check_material("not base64!"),
    ):
        with pytest.raises(errors.InvalidKey):
            call()
    assert check_material("AAEC") == "AAEC"


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("aws", "aws-kms"),
        ("AWS-KMS", "aws-kms"),
        ("azure-kms", "azure-kms"),
        ("gcp", "gcp-kms"),
        ("local-kms", "local-kms"),
        ("hcvault", "hcvault"),
    ],
)
def test_kms_types_normalized_as_confluent(given: str, normal: str) -> None:
    assert normalize_kms_type(given) == normal


def test_kms_secrets_are_left_out_of_answers_and_audit_but_kept_by_updates() -> None:
    stored = {"secret": "s", "token.id": "t", "region": "eu"}
    kek = Kek("k", "local-kms", "id", stored)
    assert redacted(kek).kms_props == {"region": "eu"}
    assert kek_detail(kek)["kmsProps"] == ["region", "secret", "token.id"]  # keys, never values
    assert merged_props({"region": "us"}, stored) == {
        "secret": "s",
        "token.id": "t",
        "region": "us",
    }
    assert merged_props({"secret": "[hidden]", "token.id": "new"}, stored) == {
        "secret": "s",
        "token.id": "new",
    }


def test_same_kek_ignores_deleted_and_timestamp() -> None:
    kek = Kek("k", "local-kms", "id", {"a": "b"}, "doc", True, False, 1)
    assert same_kek(kek, Kek("k", "local-kms", "id", {"a": "b"}, "doc", True, True, 2))
    assert not same_kek(kek, Kek("k", "local-kms", "other", {"a": "b"}, "doc", True))
