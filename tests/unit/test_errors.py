"""Every error class, wherever it is defined, has an explicit HTTP status, exit code and code.

The table is written out by hand: a new error class fails here until someone decides what it
means to an HTTP client and to a shell script, and a category change that would silently move a
class to another status or exit code shows up as a diff of this table.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import registry
from registry import errors
from registry.api.errors import status_for
from registry.cli.errors import exit_code_for

# class name -> (HTTP status, CLI exit code, error code)
EXPECTED: dict[str, tuple[int, int, int]] = {
    "RegistryError": (500, 2, 50001),
    "NotFound": (404, 2, 40400),
    "SubjectNotFound": (404, 2, 40401),
    "VersionNotFound": (404, 2, 40402),
    "SchemaNotFound": (404, 2, 40403),
    "SubjectSoftDeleted": (404, 2, 40404),
    "SubjectNotSoftDeleted": (404, 2, 40405),
    "VersionSoftDeleted": (404, 2, 40406),
    "VersionNotSoftDeleted": (404, 2, 40407),
    "SubjectConfigNotFound": (404, 2, 40408),
    "SubjectModeNotFound": (404, 2, 40409),
    "Conflict": (409, 1, 40900),
    "IncompatibleSchema": (409, 1, 409),
    "InvalidInput": (422, 2, 42200),
    "MalformedRequest": (400, 2, 400),
    "UnprocessableRequest": (422, 2, 422),
    "InvalidSchema": (422, 2, 42201),
    "InvalidVersion": (422, 2, 42202),
    "InvalidCompatibilityLevel": (422, 2, 42203),
    "InvalidMode": (422, 2, 42204),
    "IdMismatch": (422, 2, 42207),
    "InvalidSubject": (422, 2, 42208),
    "SchemaTooLarge": (422, 2, 42209),
    "InvalidRuleSet": (422, 2, 42210),
    "NotConvertible": (422, 2, 42211),
    "TargetMisconfigured": (422, 2, 42212),
    "RequestTooLarge": (413, 2, 41301),
    "NotAcceptable": (406, 2, 406),
    "UnsupportedMediaType": (415, 2, 415),
    "OperationNotPermitted": (422, 2, 42205),
    "ReferenceExists": (422, 2, 42206),
    "AuthenticationRequired": (401, 2, 40101),
    "AccessDenied": (403, 2, 40301),
    "UpstreamError": (502, 3, 50003),
    "RegistryUnreachable": (502, 3, 50003),
    "TargetError": (502, 3, 50004),
    "TargetThrottled": (502, 3, 50005),
    "TargetUnreachable": (502, 3, 50006),
    "StoreError": (500, 2, 50001),
    "OperationTimeout": (500, 2, 50002),
    "RemoteError": (500, 2, 50007),
    "KeyNotFound": (404, 2, 40470),
    "KeyNotSoftDeleted": (404, 2, 40471),
    "KeySoftDeleted": (404, 2, 40472),
    "KeyAlreadyExists": (409, 1, 40971),
    "InvalidKey": (422, 2, 42271),
    "KeyReferenceExists": (422, 2, 42272),
    "DekGenerationForbidden": (403, 2, 40370),
}


def _every_error_class() -> list[type[errors.RegistryError]]:
    for module in pkgutil.walk_packages(registry.__path__, "registry."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    found: list[type[errors.RegistryError]] = []
    stack = [errors.RegistryError]
    while stack:
        cls = stack.pop()
        if cls not in found:
            found.append(cls)
            stack.extend(cls.__subclasses__())
    return found


CLASSES = _every_error_class()


def test_every_error_class_is_in_the_table() -> None:
    names = {cls.__name__ for cls in CLASSES}
    assert names == set(EXPECTED), (names - set(EXPECTED), set(EXPECTED) - names)


def test_error_classes_live_in_registry_errors() -> None:
    elsewhere = [f"{c.__module__}.{c.__name__}" for c in CLASSES if c.__module__ != errors.__name__]
    assert not elsewhere


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_status_exit_code_and_error_code(cls: type[errors.RegistryError]) -> None:
    status, exit_code, error_code = EXPECTED[cls.__name__]
    instance = cls.__new__(cls)
    assert (status_for(cls), exit_code_for(instance), cls.error_code) == (
        status,
        exit_code,
        error_code,
    )


def test_error_codes_are_distinct_except_the_categories_aliases() -> None:
    by_code: dict[int, list[str]] = {}
    for name, (_, _, code) in EXPECTED.items():
        by_code.setdefault(code, []).append(name)
    shared = {code: names for code, names in by_code.items() if len(names) > 1}
    # The root and the store share 50001, and an unreachable registry is the upstream failure
    # Confluent reports: the only codes two classes carry.
    assert shared == {
        50001: ["RegistryError", "StoreError"],
        50003: ["UpstreamError", "RegistryUnreachable"],
    }
