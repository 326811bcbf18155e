"""The server benchmarks still run end to end (``python -m bench --quick``); never timed here.

They start real ``esr serve`` processes and the bare ASGI baseline and load them with wrk, so
this needs wrk: CI installs it (``.ci/run``); elsewhere the test says it is missing and skips.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_quick_server_benchmarks_report_every_figure() -> None:
    if shutil.which("wrk") is None:
        if os.environ.get("CI"):
            pytest.fail("wrk is not installed; .ci/run installs it")
        pytest.skip("wrk is not installed (apt-get install wrk)")
    command = [sys.executable, "-m", "bench", "--quick", "--no-postgres", "--format", "json"]
    out = subprocess.run(
        [*command, "--only", "throughput,history,scale"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=600,
    ).stdout
    result = json.loads(out)
    cases = {(r["database"], r["case"]) for r in result["throughput"]["rows"]}
    assert cases == {("sqlite", "anonymous"), ("sqlite", "basic auth")}
    assert all(r["ratio"] > 0 for r in result["throughput"]["rows"])
    scaling = {r["case"]: r["ratio"] for r in result["throughput"]["scaling"]}
    assert set(scaling) == {"bare ASGI", "esr, cached", "esr, caches off"}
    [table] = result["history"]["tables"]
    assert set(table["rows"]) == {
        "re-register version 1",
        "lookup version 1",
        "GET latest",
        "GET version n",
        "GET versions",
        "register new version",
    }
    assert all(row["ratio"] > 0 for row in table["rows"].values())
    [run] = result["scale"]["runs"]
    assert run["schemas"] == 40 and run["ids_warm"]["non_2xx"] == 0
    assert run["register_8_clients"]["total"] > 0
