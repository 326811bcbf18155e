"""The web UI's catalogue with 10,000 subjects, server-side, against the REST API's listing.

Method. A fresh database gets 10,000 subjects of 3 versions each, written through the storage
layer as in the ``scale`` section (each schema parsed by its format). One ``esr serve`` (one
worker, access log off) starts on it, and a keep-alive HTTP client times sequential requests,
keeping p50 and p99:

* baseline: ``GET /subjects`` (the REST API's list of 10,000 names, JSON);
* ``GET /ui/`` (first page of 50, with type, latest version, level, mode, last change);
* ``GET /ui/?page=N`` at random pages;
* ``GET /ui/?q=...`` (name search) and ``GET /ui/?field=...`` (search in the newest schemas'
  text, which scans them);
* ``GET /ui/subjects/{s}`` at random subjects.

Each ratio divides the page's p50 by the baseline's: the catalogue renders a page from one
grouped query over every subject, so it is expected to cost a small multiple of the plain list.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

import httpx

from bench.processes import database, esr_serve, on_each_database
from bench.scale import fill, timed_gets


def measure_database(
    kind: str, *, subjects: int, versions: int, requests: int, workdir: Path
) -> dict[str, Any]:
    """The figures of one database kind."""
    result: dict[str, Any] = {"database": kind, "subjects": subjects}
    rng = random.Random(11)
    pages = max(1, subjects // 50)
    with database(kind, workdir) as url:
        result["fill_seconds"] = round(fill(url, subjects, versions), 1)
        with (
            esr_serve(url, workdir) as server,
            httpx.Client(base_url=server.url, timeout=120) as client,
        ):
            client.get("/ui/").raise_for_status()  # first use builds the template cache
            result["list_subjects"] = timed_gets(client, ["/subjects"] * requests)
            result["ui_first_page"] = timed_gets(client, ["/ui/"] * requests)
            result["ui_random_page"] = timed_gets(
                client, [f"/ui/?page={rng.randrange(1, pages + 1)}" for _ in range(requests)]
            )
            result["ui_name_search"] = timed_gets(
                client, [f"/ui/?q={rng.randrange(subjects):05d}" for _ in range(requests)]
            )
            result["ui_field_search"] = timed_gets(client, ["/ui/?field=f1"] * requests)
            result["ui_subject"] = timed_gets(
                client,
                [f"/ui/subjects/scale-{rng.randrange(subjects):05d}" for _ in range(requests)],
            )
    base = result["list_subjects"]["p50_ms"]
    result["ratios"] = {
        name: round(result[name]["p50_ms"] / base, 2)
        for name in ("ui_first_page", "ui_random_page", "ui_name_search", "ui_field_search")
    }
    return result


def measure(
    *,
    subjects: int = 10_000,
    versions: int = 3,
    requests: int = 30,
    postgres: bool = True,
    workdir: Path | None = None,
) -> dict[str, Any]:
    """The figures on SQLite and (when reachable and asked for) PostgreSQL."""
    return on_each_database(
        measure_database,
        postgres=postgres,
        workdir=workdir,
        subjects=subjects,
        versions=versions,
        requests=requests,
    )


def render(result: dict[str, Any]) -> str:
    """A plain-text report per database."""
    lines = []
    for run in result["runs"]:
        lines.append(
            f"Web UI catalogue, {run['database']}: {run['subjects']:,} subjects "
            f"(filled in {run['fill_seconds']} s); p50 / p99 ms, ratio to GET /subjects"
        )
        for name, label in (
            ("list_subjects", "GET /subjects (baseline)"),
            ("ui_first_page", "GET /ui/"),
            ("ui_random_page", "GET /ui/?page=N"),
            ("ui_name_search", "GET /ui/?q=NAME"),
            ("ui_field_search", "GET /ui/?field=TEXT"),
            ("ui_subject", "GET /ui/subjects/S"),
        ):
            figures = run[name]
            ratio = run["ratios"].get(name)
            suffix = f"  {ratio}x" if ratio is not None else ""
            lines.append(f"  {label:<28} {figures['p50_ms']:>8} / {figures['p99_ms']:<8}{suffix}")
    lines += [f"  note: {note}" for note in result["notes"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.ui``."""
    parser = argparse.ArgumentParser(prog="python -m bench.ui", description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    result = measure(subjects=args.subjects, requests=args.requests, postgres=not args.no_postgres)
    sys.stdout.write(
        (json.dumps(result, indent=2) if args.format == "json" else render(result)) + "\n"
    )


if __name__ == "__main__":
    main()
