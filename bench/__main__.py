"""``python -m bench`` (``make bench``): every benchmark of the registry, in one run.

Sections, each printing its figures and the ratios to a baseline measured in the same run:

* ``engine``: parse and check times of 2,000-field Avro and JSON Schema pairs;
* ``compat``: our compatibility check against Apache Avro's checker on the Avro pairs;
* ``validation``: our instance validation against raw jsonschema-rs on the shop's events;
* ``throughput``: ``GET /schemas/ids/{id}`` on ``esr serve`` against a bare ASGI callable on
  the same uvicorn (anonymous, with HTTP Basic, two workers), SQLite and PostgreSQL;
* ``history``: per-subject costs at 1,000 versions against 10, SQLite and PostgreSQL;
* ``ui``: the web UI's catalogue pages with 10,000 subjects against ``GET /subjects``;
* ``scale`` (only when asked for: it fills 100,000 schemas): start time, memory and latencies
  of a registry with 100,000 schemas in 10,000 subjects.

``--quick`` runs every section on tiny inputs, for the smoke test in ``make test``: its figures
mean nothing, it only shows the benchmarks still run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from bench import compat_vs_avro, engine, history, scale, throughput, ui, validation

Section = tuple[Callable[..., dict[str, Any]], Callable[[dict[str, Any]], str]]
SECTIONS: dict[str, Section] = {
    "engine": (engine.measure, engine.render),
    "compat": (compat_vs_avro.measure, compat_vs_avro.render),
    "validation": (validation.measure, validation.render),
    "throughput": (throughput.measure, throughput.render),
    "history": (history.measure, history.render),
    "ui": (ui.measure, ui.render),
    "scale": (scale.measure, scale.render),
}
DEFAULT = ("engine", "compat", "validation", "throughput", "history", "ui")
OPTIONS: dict[str, dict[str, Any]] = {"compat": {"runs": 7}, "validation": {"runs": 7}}
QUICK: dict[str, dict[str, Any]] = {
    "engine": {"runs": 1, "fields": 160},
    "compat": {"runs": 1, "fields": 160},
    "validation": {"runs": 1, "events": 20},
    "throughput": {"seconds": 1, "rounds": 1, "connections": 4},
    "history": {"small": 2, "large": 6, "requests": 2},
    "ui": {"subjects": 60, "requests": 2},
    "scale": {"subjects": 20, "versions": 2, "seconds": 1},
}


def main(argv: list[str] | None = None) -> None:
    """Run the chosen sections and print each as soon as it is measured."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only",
        default=",".join(DEFAULT),
        help=f"comma-separated sections among {', '.join(SECTIONS)} (default: all but scale)",
    )
    parser.add_argument("--quick", action="store_true", help="tiny inputs: a smoke run")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown sections: {', '.join(unknown)}")
    results: dict[str, Any] = {}
    for name in chosen:
        measure, render = SECTIONS[name]
        options = OPTIONS.get(name, {}) | (QUICK[name] if args.quick else {})
        if args.no_postgres and name in ("throughput", "history", "scale", "ui"):
            options["postgres"] = False
        started = time.perf_counter()
        result = measure(**options)
        result["seconds"] = round(time.perf_counter() - started, 1)
        results[name] = result
        if args.format == "text":
            sys.stdout.write(render(result) + "\n\n")
            sys.stdout.flush()
    if args.format == "json":
        sys.stdout.write(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
