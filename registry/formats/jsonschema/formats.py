"""The ``format`` values this registry asserts: a fixed set, one implementation, every install.

``format`` is an assertion only if the validator chooses to check it, and the ``jsonschema``
package checks a format only when an optional package for it happens to be installed
(``rfc3339-validator`` for ``date-time``, ``fqdn`` for ``hostname``...), so verdicts used to
change with the environment. Here the set is fixed per draft and every check is done by
jsonschema-rs (a required dependency), whichever engine runs the rest of the schema: the
``jsonschema`` validator classes of :mod:`drafts` get :func:`format_checker`, the jsonschema-rs
fast path (:mod:`fast`) is built with the same options, and the compatibility engine asks
``FORMAT_CHECKER.checkers`` of the same classes which formats count. Formats not listed here
(``color``, ``int32``, custom ones) are annotations: accepted whatever the value.

``tests/unit/formats/test_jsonschema_formats.py`` pins :data:`ASSERTED_FORMATS`, so a change of
library that changes the set fails a test instead of silently changing verdicts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema_rs
from jsonschema import FormatChecker

# Draft number (``Draft`` is an IntEnum of these) -> the formats asserted under it; exactly the
# formats jsonschema-rs implements for that draft.
_DRAFT4 = (
    "date",
    "date-time",
    "email",
    "hostname",
    "idn-email",
    "ipv4",
    "ipv6",
    "regex",
    "time",
    "uri",
)
_DRAFT6 = (*_DRAFT4, "json-pointer", "uri-reference", "uri-template")
_DRAFT7 = (*_DRAFT6, "idn-hostname", "iri", "iri-reference", "relative-json-pointer")
_DRAFT2019 = (*_DRAFT7, "duration", "uuid")
ASSERTED_FORMATS: dict[int, frozenset[str]] = {
    4: frozenset(_DRAFT4),
    6: frozenset(_DRAFT6),
    7: frozenset(_DRAFT7),
    2019: frozenset(_DRAFT2019),
    2020: frozenset(_DRAFT2019),
}

RS_VALIDATORS: dict[int, Any] = {
    4: jsonschema_rs.Draft4Validator,
    6: jsonschema_rs.Draft6Validator,
    7: jsonschema_rs.Draft7Validator,
    2019: jsonschema_rs.Draft201909Validator,
    2020: jsonschema_rs.Draft202012Validator,
}


def rs_options() -> dict[str, Any]:
    """The options every jsonschema-rs validator of this package is built with.

    Formats asserted, unknown ones ignored, and patterns run by the ``regex`` crate (linear
    time: no catastrophic backtracking; patterns it cannot run fail to compile, and such a
    schema is validated by ``jsonschema`` instead).
    """
    return {
        "validate_formats": True,
        "ignore_unknown_formats": True,
        "pattern_options": jsonschema_rs.RegexOptions(),
    }


def _check(draft: int, name: str) -> Callable[[object], bool]:
    validator = RS_VALIDATORS[draft]({"format": name}, **rs_options())

    def check(instance: object) -> bool:
        if not isinstance(instance, str):
            return True
        try:
            return bool(validator.is_valid(instance))
        except ValueError:  # a lone surrogate: not text, so not a valid anything
            return False

    check.__name__ = f"is_{name.replace('-', '_')}"
    return check


def format_checker(draft: int) -> FormatChecker:
    """A ``jsonschema`` format checker asserting exactly ``ASSERTED_FORMATS[draft]``."""
    checker = FormatChecker(formats=())
    for name in sorted(ASSERTED_FORMATS[draft]):
        checker.checks(name)(_check(draft, name))
    return checker


# The meta-schemas use ``regex``, ``uri`` and ``uri-reference``. Only ``regex`` is asserted when a
# schema is parsed (with Python's ``re``, which then compiles the patterns), in every install.
META_FORMATS = ("regex",)


def meta_format_checker() -> FormatChecker:
    """The format checker used when checking a schema against its draft's meta-schema."""
    return FormatChecker(formats=META_FORMATS)
