"""Id lookups per second: ``esr serve`` against a bare ASGI callable on the same uvicorn.

Method. One ``esr serve`` (settings from ``REGISTRY_*``, access log off, one worker unless
stated) on a fresh SQLite file or PostgreSQL database, with the shop's ``OrderPlaced`` schema
registered; one bare ASGI callable (``bench/bare.py``) answering the same bytes, run by uvicorn
with the options ``esr serve`` uses. ``wrk -t1 -c32`` loads ``GET /schemas/ids/1`` on each in
turn, ``--rounds`` times, alternating, and each figure is the median of its rounds; the ratio
divides the registry's median by the baseline's. Rows:

* ``anonymous``: no users, no credentials;
* ``basic auth``: one reader user exists and every request carries HTTP Basic credentials
  (the baseline gets the same header and ignores it);
* scaling: each server with one worker against the same with ``REGISTRY_WORKERS=2``, for the
  bare callable, the registry, and the registry with its caches off (every lookup reads the
  database). wrk shares the machine's cores with the servers, so on a 2-core machine the
  cheapest answers cannot scale: the bare callable shows how much room is left.

wrk and the servers share the machine, so absolute figures depend on it; ratios measured in the
same run are what to compare.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx

from bench.processes import (
    ROOT,
    Process,
    WrkResult,
    add_user,
    bare_serve,
    database,
    esr_serve,
    postgres_reachable,
    wrk,
    wrk_available,
)

SCHEMA_FILE = ROOT / "schemas" / "orders" / "OrderPlaced.json"
PASSWORD = "bench-password-1"


def _median(results: list[WrkResult]) -> dict[str, float]:
    return {
        "rps": round(statistics.median(r.requests_per_second for r in results)),
        "p50_ms": round(statistics.median(r.latency_p50_ms for r in results), 3),
        "p99_ms": round(statistics.median(r.latency_p99_ms for r in results), 3),
        "non_2xx": sum(r.non_2xx for r in results),
    }


def _alternate(
    rounds: int, loads: dict[str, Callable[[], WrkResult]]
) -> dict[str, dict[str, float]]:
    """Run each load once per round, in turn, and keep the medians."""
    seen: dict[str, list[WrkResult]] = {name: [] for name in loads}
    for _ in range(rounds):
        for name, load in loads.items():
            seen[name].append(load())
    return {name: _median(results) for name, results in seen.items()}


def _register(url: str, headers: dict[str, str] | None = None) -> bytes:
    text = SCHEMA_FILE.read_text()
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        answer = client.post(
            "/subjects/orders.OrderPlaced-value/versions",
            json={"schema": text, "schemaType": "JSON"},
        )
        answer.raise_for_status()
        body = client.get(f"/schemas/ids/{answer.json()['id']}")
        body.raise_for_status()
        return body.content


def measure_database(
    kind: str, *, seconds: float, rounds: int, connections: int, workdir: Path
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ratio rows and the scaling rows of one database kind."""
    rows: list[dict[str, Any]] = []

    def load(url: str, headers: dict[str, str] | None = None) -> Callable[[], WrkResult]:
        target = url + "/schemas/ids/1"
        return lambda: wrk(target, seconds=seconds, connections=connections, headers=headers)

    with database(kind, workdir) as url:
        with esr_serve(url, workdir) as esr:
            body = _register(esr.url)
            with bare_serve(body, workdir) as bare:
                one = _alternate(rounds, {"bare": load(bare.url), "esr": load(esr.url)})
                rows.append({"database": kind, "case": "anonymous", **one})
        scaling = [
            _scaling(kind, "bare ASGI", rounds, load, lambda w: bare_serve(body, workdir, **w)),
            _scaling(kind, "esr, cached", rounds, load, lambda w: esr_serve(url, workdir, **w)),
            _scaling(
                kind,
                "esr, caches off",
                rounds,
                load,
                lambda w: esr_serve(url, workdir, **w, **NO_CACHES),
            ),
        ]
        auth = {"Authorization": add_user(url, "bench", PASSWORD)}
        with esr_serve(url, workdir) as esr, bare_serve(body, workdir) as bare:
            with_auth = _alternate(
                rounds, {"bare": load(bare.url, auth), "esr": load(esr.url, auth)}
            )
            rows.append({"database": kind, "case": "basic auth", **with_auth})
    for row in rows:
        row["ratio"] = round(row["esr"]["rps"] / row["bare"]["rps"], 2)
        bad = row["esr"]["non_2xx"] + row["bare"]["non_2xx"]
        if bad:
            raise SystemExit(f"{row['database']} {row['case']}: {bad} answers were not 2xx")
    return rows, scaling


NO_CACHES = {"answer_cache_bytes": "0", "schema_cache_size": "0"}


def _scaling(
    kind: str,
    case: str,
    rounds: int,
    load: Callable[[str], Callable[[], WrkResult]],
    serve: Callable[[dict[str, str]], AbstractContextManager[Process]],
) -> dict[str, Any]:
    """One server with one worker against the same with two, alternating rounds."""
    with serve({}) as one, serve({"workers": "2"}) as two:
        found = _alternate(rounds, {"1 worker": load(one.url), "2 workers": load(two.url)})
    return {
        "database": kind,
        "case": case,
        **found,
        "ratio": round(found["2 workers"]["rps"] / found["1 worker"]["rps"], 2),
    }


def measure(
    *,
    seconds: float = 5,
    rounds: int = 3,
    connections: int = 32,
    postgres: bool = True,
    workdir: Path | None = None,
) -> dict[str, Any]:
    """Every row, on SQLite and (when reachable and asked for) PostgreSQL."""
    if not wrk_available():
        return {"skipped": "wrk is not installed (apt-get install wrk)", "rows": []}
    kinds = ["sqlite"]
    notes = []
    if postgres:
        reason = postgres_reachable()
        if reason is None:
            kinds.append("postgres")
        else:
            notes.append(reason)
    with tempfile.TemporaryDirectory(prefix="esr-bench-") as folder:
        where = workdir or Path(folder)
        rows: list[dict[str, Any]] = []
        scaling: list[dict[str, Any]] = []
        for kind in kinds:
            found, scaled = measure_database(
                kind, seconds=seconds, rounds=rounds, connections=connections, workdir=where
            )
            rows += found
            scaling += scaled
    return {
        "method": f"wrk -t1 -c{connections} -d{seconds:g}s, median of {rounds} alternating rounds",
        "rows": rows,
        "scaling": scaling,
        "notes": notes,
    }


def render(result: dict[str, Any]) -> str:
    """A plain-text table."""
    if result.get("skipped"):
        return f"GET /schemas/ids/{{id}}: skipped, {result['skipped']}"
    lines = [f"GET /schemas/ids/{{id}} against a bare ASGI callable ({result['method']})"]
    lines.append(
        f"  {'database':<9}{'case':<12}{'esr req/s':>11}{'bare req/s':>12}{'ratio':>7}"
        f"{'esr p50':>10}{'esr p99':>10}"
    )
    for row in result["rows"]:
        line = (
            f"  {row['database']:<9}{row['case']:<12}{row['esr']['rps']:>11,}"
            f"{row['bare']['rps']:>12,}{row['ratio']:>7.2f}"
            f"{row['esr']['p50_ms']:>8.2f}ms{row['esr']['p99_ms']:>8.2f}ms"
        )
        lines.append(line)
    lines.append("  two workers against one (REGISTRY_WORKERS=2), same request")
    for row in result.get("scaling", []):
        lines.append(
            f"  {row['database']:<9}{row['case']:<17}{row['1 worker']['rps']:>9,} req/s"
            f"{row['2 workers']['rps']:>10,} req/s{row['ratio']:>7.2f}x"
        )
    lines += [f"  note: {note}" for note in result.get("notes", [])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.throughput``."""
    parser = argparse.ArgumentParser(prog="python -m bench.throughput")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    result = measure(
        seconds=args.seconds,
        rounds=args.rounds,
        connections=args.connections,
        postgres=not args.no_postgres,
    )
    sys.stdout.write(json.dumps(result, indent=2) if args.format == "json" else render(result))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
