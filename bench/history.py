"""Per-subject costs against history: the same operations on a subject with 10 versions and on
one with 1,000, through ``esr serve`` on SQLite and PostgreSQL.

Method. One ``esr serve`` (one worker, access log off) on a fresh database holds two subjects
under BACKWARD whose versions are constant-size Avro records of 21 fields (version ``k`` differs
from the others only in the default of its last field). A keep-alive HTTP client times each
operation ``--requests`` times, alternating between the two subjects, and keeps the medians:

* re-register version 1 (the registry answers the existing version);
* ``POST /subjects/{s}``: look up version 1;
* ``GET /subjects/{s}/versions/latest`` and ``GET /subjects/{s}/versions/{n}`` (the middle one);
* ``GET /subjects/{s}/versions``: the list, whose answer itself grows with history;
* register a new compatible version (each sample adds one).

The ratio divides the 1,000-version median by the 10-version one: 1.0 means history costs
nothing. Last, both subjects switch to BACKWARD_TRANSITIVE, where every registration is checked
against every live version by definition; the difference between the two medians, divided by
the difference in versions, is the cost of one more version in the history.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.processes import database, esr_serve, postgres_reachable

FIELDS = 21


def record(version: int) -> str:
    """Version ``version`` of the benchmark's record: 21 fields, the last one's default varies."""
    fields: list[dict[str, Any]] = [{"name": f"f{i}", "type": "string"} for i in range(FIELDS - 1)]
    fields.append({"name": f"f{FIELDS - 1}", "type": "long", "default": version})
    return json.dumps({"type": "record", "name": "Event", "namespace": "bench", "fields": fields})


class Subject:
    """One benchmark subject and the next version it will get."""

    def __init__(self, client: httpx.Client, name: str) -> None:
        self.client = client
        self.name = name
        self.next = 1

    def register(self) -> None:
        """Register the next version."""
        answer = self.client.post(
            f"/subjects/{self.name}/versions", json={"schema": record(self.next)}
        )
        answer.raise_for_status()
        self.next += 1

    def fill(self, versions: int) -> None:
        """Register versions until the subject has ``versions``."""
        while self.next <= versions:
            self.register()


def _timed(action: Callable[[], httpx.Response]) -> float:
    start = time.perf_counter()
    answer = action()
    elapsed = time.perf_counter() - start
    answer.raise_for_status()
    return elapsed


def operations(subject: Subject, versions: int) -> dict[str, Callable[[], float]]:
    """The timed operations on one subject, by name."""
    client, name = subject.client, subject.name
    first = {"schema": record(1)}

    def register_new() -> float:
        start = time.perf_counter()
        subject.register()
        return time.perf_counter() - start

    return {
        "re-register version 1": lambda: _timed(
            lambda: client.post(f"/subjects/{name}/versions", json=first)
        ),
        "lookup version 1": lambda: _timed(lambda: client.post(f"/subjects/{name}", json=first)),
        "GET latest": lambda: _timed(lambda: client.get(f"/subjects/{name}/versions/latest")),
        "GET version n": lambda: _timed(
            lambda: client.get(f"/subjects/{name}/versions/{max(1, versions // 2)}")
        ),
        "GET versions": lambda: _timed(lambda: client.get(f"/subjects/{name}/versions")),
        "register new version": register_new,
    }


def _compare(
    small: dict[str, Callable[[], float]], large: dict[str, Callable[[], float]], requests: int
) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    for name in small:
        for _ in range(3):  # warm-up
            small[name]()
            large[name]()
        a: list[float] = []
        b: list[float] = []
        for _ in range(requests):
            a.append(small[name]())
            b.append(large[name]())
        rows[name] = {
            "small_ms": round(statistics.median(a) * 1000, 3),
            "large_ms": round(statistics.median(b) * 1000, 3),
            "ratio": round(statistics.median(b) / statistics.median(a), 2),
        }
    return rows


def measure_database(
    kind: str, *, small: int, large: int, requests: int, workdir: Path
) -> dict[str, Any]:
    """The table of one database kind."""
    with (
        database(kind, workdir) as url,
        esr_serve(url, workdir) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        few, many = Subject(client, "history-small"), Subject(client, "history-large")
        start = time.perf_counter()
        few.fill(small)
        many.fill(large)
        fill_s = time.perf_counter() - start
        rows = _compare(operations(few, small), operations(many, large), requests)
        for subject in (few, many):
            client.put(
                f"/config/{subject.name}", json={"compatibility": "BACKWARD_TRANSITIVE"}
            ).raise_for_status()
        transitive = _compare(
            {"register": operations(few, few.next - 1)["register new version"]},
            {"register": operations(many, many.next - 1)["register new version"]},
            max(3, requests // 3),
        )["register"]
        extra = (many.next - few.next) or 1
        per_version_ms = (transitive["large_ms"] - transitive["small_ms"]) / extra
    return {
        "database": kind,
        "versions": [small, large],
        "fill_seconds": round(fill_s, 1),
        "rows": rows,
        "transitive": transitive | {"per_version_ms": round(per_version_ms, 4)},
    }


def measure(
    *,
    small: int = 10,
    large: int = 1000,
    requests: int = 30,
    postgres: bool = True,
    workdir: Path | None = None,
) -> dict[str, Any]:
    """The tables on SQLite and (when reachable and asked for) PostgreSQL."""
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
        tables = [
            measure_database(kind, small=small, large=large, requests=requests, workdir=where)
            for kind in kinds
        ]
    return {"requests": requests, "tables": tables, "notes": notes}


def render(result: dict[str, Any]) -> str:
    """One plain-text table per database."""
    lines = []
    for table in result["tables"]:
        small, large = table["versions"]
        lines.append(
            f"Per-subject costs, {table['database']}: {large:,} versions against {small:,}, "
            f"median of {result['requests']} requests (filled in {table['fill_seconds']} s)"
        )
        lines.append(f"  {'operation':<24}{f'{small} v':>10}{f'{large} v':>11}{'ratio':>8}")
        for name, row in table["rows"].items():
            lines.append(
                f"  {name:<24}{row['small_ms']:>8.2f}ms{row['large_ms']:>9.2f}ms"
                f"{row['ratio']:>8.2f}"
            )
        t = table["transitive"]
        lines.append(
            f"  BACKWARD_TRANSITIVE register: {t['small_ms']:.2f} ms at {small} versions, "
            f"{t['large_ms']:.2f} ms at {large}: {t['per_version_ms'] * 1000:.1f} µs per version"
        )
    lines += [f"  note: {note}" for note in result.get("notes", [])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.history``."""
    parser = argparse.ArgumentParser(prog="python -m bench.history")
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    result = measure(
        small=args.small, large=args.large, requests=args.requests, postgres=not args.no_postgres
    )
    sys.stdout.write(json.dumps(result, indent=2) if args.format == "json" else render(result))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
