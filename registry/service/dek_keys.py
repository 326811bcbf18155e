"""Names and small values of the DEK registry: key names, subjects, algorithms, contexts, KMS
types, and which ``kmsProps`` are KMS secrets (never answered, never audited).

The checks are Confluent's (``DekRegistryResource.checkName`` and ``checkSubject``,
``DekRegistry.normalizeKmsType``, ``KmsPropsRedactor``); each refuses with 42271.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, replace

from registry import errors
from registry.storage.dek_repository import Kek

ALGORITHMS = ("AES128_GCM", "AES256_GCM", "AES256_SIV")
DEFAULT_ALGORITHM = "AES256_GCM"
MIN_VERSION = 1
MAX_VERSION = 2**31 - 1
NAME_MAX_LENGTH = 64
SUBJECT_MAX_LENGTH = 255
DEFAULT_CONTEXT = "."
# kmsProps keys that carry KMS credentials, by driver (Confluent's KmsPropsRedactor): hcvault,
# hcvault, hcvault, aws, azure, gcp, local.
SECRET_KMS_PROPS = frozenset(
    {
        "token.id",
        "approle.secret.id",
        "ssl.keystore.password",
        "secret.access.key",
        "client.secret",
        "private.key",
        "secret",
    }
)
REDACTED = "[hidden]"
_KMS_TYPES = {"aws": "aws-kms", "azure": "azure-kms", "gcp": "gcp-kms"}


@dataclass(frozen=True, slots=True)
class KekRequest:
    """A KEK to create, as the client sent it (every field may be missing)."""

    name: str | None
    kms_type: str | None
    kms_key_id: str | None
    kms_props: Mapping[str, str] | None = None
    doc: str | None = None
    shared: bool = False
    deleted: bool = False


def check_name(name: str | None) -> str:
    """A KEK name as Confluent's ``checkName``: a letter or ``_``, then letters, digits, ``_``
    or ``-``, at most 64 characters (42271)."""
    if (
        not name
        or len(name) > NAME_MAX_LENGTH
        or not (name[0].isalpha() or name[0] == "_")
        or not all(c.isalpha() or c.isdecimal() or c in "_-" for c in name[1:])
    ):
        raise errors.InvalidKey(
            f"Invalid key name {name!r}: use 1 to {NAME_MAX_LENGTH} letters, digits, '_' or '-', "
            "starting with a letter or '_'"
        )
    return name


def check_subject(subject: str | None) -> str:
    """A DEK subject as Confluent's ``checkSubject``: not empty, no control characters (42271)."""
    if not subject or any(ord(c) < 32 or 127 <= ord(c) <= 159 for c in subject):
        raise errors.InvalidKey(
            "Invalid key subject: it must be non-empty and free of control characters"
        )
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise errors.InvalidKey(f"Invalid key subject: longer than {SUBJECT_MAX_LENGTH} characters")
    return subject


def check_text(field: str, value: str | None) -> str | None:
    """A free-text field (kmsType, kmsKeyId, doc, kmsProps): no NUL characters, which
    PostgreSQL cannot store in text (42271)."""
    if value is not None and "\x00" in value:
        raise errors.InvalidKey(f"Invalid {field}: NUL characters are not allowed")
    return value


def check_props(props: Mapping[str, str] | None) -> dict[str, str] | None:
    """kmsProps: names and values checked as free text (42271)."""
    if props is None:
        return None
    for key, value in props.items():
        check_text("kmsProps name", key)
        check_text(f"kmsProps value of {key!r}", value)
    return dict(props)


def check_algorithm(algorithm: str | None) -> str:
    """The DEK algorithm, AES256_GCM when none is given (42271 for an unknown one)."""
    if algorithm is None:
        return DEFAULT_ALGORITHM
    if algorithm not in ALGORITHMS:
        raise errors.InvalidKey(f"Invalid key algorithm {algorithm!r}: use one of {ALGORITHMS}")
    return algorithm


def check_context(context: str | None) -> None:
    """Only the default context exists in this registry (42271 for any other)."""
    if context not in (None, "", DEFAULT_CONTEXT):
        raise errors.InvalidKey(
            f"Invalid key context {context!r}: this registry has only the default context '.'"
        )


def normalize_kms_type(kms_type: str) -> str:
    """``aws*``, ``azure*`` and ``gcp*`` become ``aws-kms``, ``azure-kms`` and ``gcp-kms``, as in
    Confluent (the clients' KMS drivers are registered under those names)."""
    for prefix, normal in _KMS_TYPES.items():
        if kms_type.lower().startswith(prefix):
            return normal
    return kms_type


def redacted(kek: Kek) -> Kek:
    """The KEK as answered: KMS secrets left out of ``kmsProps`` (so that a client's driver
    falls back to its own credentials rather than a placeholder)."""
    props = {k: v for k, v in kek.kms_props.items() if k not in SECRET_KMS_PROPS}
    return replace(kek, kms_props=props)


def merged_props(requested: Mapping[str, str], stored: Mapping[str, str]) -> dict[str, str]:
    """An update's ``kmsProps`` over the stored ones: a secret the client left out (it read the
    KEK back without it) or sent as ``[hidden]`` keeps its stored value."""
    merged = dict(requested)
    for key in SECRET_KMS_PROPS & stored.keys():
        if merged.get(key, REDACTED) == REDACTED:
            merged[key] = stored[key]
    return merged


def check_material(material: str) -> str:
    """Wrapped key material must be base64, as every client sends it and reads it back (42271)."""
    try:
        base64.b64decode(material, validate=True)
    except (binascii.Error, ValueError):
        raise errors.InvalidKey(
            "Invalid encryptedKeyMaterial: it must be the base64 of the KMS-wrapped key"
        ) from None
    return material


def kek_detail(kek: Kek) -> dict[str, object]:
    """What the audit log keeps of a KEK: never a kmsProps value."""
    return {
        "kek": kek.name,
        "kmsType": kek.kms_type,
        "kmsKeyId": kek.kms_key_id,
        "kmsProps": sorted(kek.kms_props),
        "shared": kek.shared,
        "deleted": kek.deleted,
    }


def same_kek(a: Kek, b: Kek) -> bool:
    """Confluent's ``isEquivalent``: everything but the deleted flag and the timestamp."""
    return replace(a, deleted=False, ts=0) == replace(b, deleted=False, ts=0)
