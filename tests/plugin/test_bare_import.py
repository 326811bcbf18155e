"""The plugin imports in a bare environment and costs nothing without contracts."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("boto3", "botocore", "azure", "fastavro", "jsonschema", "registry.contract_testing")


def test_importing_the_plugin_pulls_in_nothing_heavy() -> None:
    code = (
        "import sys, registry.pytest_plugin\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} "
        f"or m.startswith('registry.contract_testing')))"
    )

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "[]"


def test_a_session_without_contracts_never_loads_the_engine(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "import sys\n"
        "def pytest_sessionfinish(session):\n"
        "    loaded = [m for m in sys.modules if m.startswith('registry.contract_testing')]\n"
        "    print('ENGINE-LOADED', loaded)\n"
    )
    pytester.makepyfile("def test_plain():\n    pass\n")

    result = pytester.runpytest_subprocess("-p", "no:randomly", "-s")

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*ENGINE-LOADED []*"])
