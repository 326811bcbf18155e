"""``python -m bench.engine``: parse and check times of 2,000-field schemas, Avro and JSON Schema.

For each format this parses the writer schema and checks two readers against it (BACKWARD,
the reader reads what the writer wrote): one with compatible changes only, one with four
breaking changes too. Each figure is the median of ``--runs`` runs in this process, and the
ratio check/parse compares the two in the same run, so it says how the engine's cost relates
to the cost of reading the schema whatever the machine. The incompatible check is shown with
the counterexample search our verbose messages include and without it (verdict only).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.schemas import Case, avro_case, json_schema_case
from registry.domain import SchemaType
from registry.formats import get_format
from registry.formats.avro.resolve import resolve
from registry.formats.base import ParsedSchema, SchemaFormat
from registry.formats.jsonschema.compat import check_compatibility


def median_ms(action: Callable[[], Any], runs: int) -> float:
    """The median wall-clock time of ``action`` in milliseconds (after one warm-up run)."""
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def verdict_only(fmt: SchemaFormat, reader: ParsedSchema, writer: ParsedSchema) -> int:
    """The number of incompatibilities, without searching counterexamples."""
    if fmt.schema_type is SchemaType.JSON:
        return len(check_compatibility(reader, writer, counterexamples=False))
    return len(resolve(reader.compiled, writer.compiled))


def measure_case(case: Case, runs: int) -> dict[str, Any]:
    """Every figure of one format."""
    fmt = get_format(SchemaType(case.schema_type))
    writer = fmt.parse(case.writer)
    compatible = fmt.parse(case.compatible)
    incompatible = fmt.parse(case.incompatible)
    found = fmt.check(incompatible, writer)
    if fmt.check(compatible, writer) or len(found) != 4:
        raise SystemExit(f"{case.name}: unexpected verdicts {[i.rule_id for i in found]}")
    figures = {
        "parse": median_ms(lambda: fmt.parse(case.writer), runs),
        "check compatible": median_ms(lambda: fmt.check(compatible, writer), runs),
        "check incompatible": median_ms(lambda: fmt.check(incompatible, writer), runs),
        "check incompatible, verdict only": median_ms(
            lambda: verdict_only(fmt, incompatible, writer), runs
        ),
    }
    parse = figures["parse"]
    return {
        "format": case.name,
        "fields": case.fields,
        "runs": runs,
        "ms": {name: round(value, 2) for name, value in figures.items()},
        "check/parse": {
            name: round(value / parse, 2) for name, value in figures.items() if name != "parse"
        },
        "rules": sorted(i.rule_id for i in found),
        "counterexamples": sum(i.has_example for i in found),
    }


def render(result: dict[str, Any]) -> str:
    """A plain-text table, one row per format and figure."""
    lines = []
    for one in result["formats"]:
        lines.append(
            f"{one['format']}: {one['fields']} nested fields, median of {one['runs']} runs"
        )
        parse = one["ms"]["parse"]
        lines.append(f"  {'parse':<34} {parse:9.2f} ms")
        for name, ratio in one["check/parse"].items():
            lines.append(f"  {name:<34} {one['ms'][name]:9.2f} ms   check/parse {ratio:6.2f}")
        found = ", ".join(one["rules"])
        lines.append(f"  incompatible reader: {found} ({one['counterexamples']} with examples)")
    return "\n".join(lines)


def measure(*, runs: int = 7, fields: int = 2_000) -> dict[str, Any]:
    """Every figure of both formats."""
    return {"formats": [measure_case(make(fields), runs) for make in (avro_case, json_schema_case)]}


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.engine", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (median)")
    parser.add_argument("--fields", type=int, default=2_000, help="fields per schema")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    result = measure(runs=args.runs, fields=args.fields)
    print(json.dumps(result, indent=2) if args.format == "json" else render(result))


if __name__ == "__main__":
    main()
