"""``python -m bench.compat_vs_avro``: our Avro compatibility check against Apache Avro's own.

On the 2,000-field Avro pairs of ``bench/schemas.py`` (a writer, a compatible reader and one
with four breaking changes), this times the BACKWARD check (the reader reads what the writer
wrote) of our engine and of the ``avro`` package's ``ReaderWriterCompatibilityChecker``, both on
schemas parsed beforehand. The incompatible pair is timed verdict only on our side (no
counterexample search, as ``python -m bench`` does), which is all Avro's checker computes.
Each figure is the median of ``--runs`` runs after one warm-up; the ratio is theirs / ours
(above 1: ours is faster). The benchmark stops with an error unless both checkers agree that
the first reader is compatible and the second is not, each with four incompatibilities.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import avro.compatibility
import avro.schema

from bench.schemas import avro_case
from registry.domain import SchemaType
from registry.formats import get_format
from registry.formats.avro.resolve import resolve
from registry.formats.base import ParsedSchema

BREAKING = 4


def median_ms(action: Callable[[], Any], runs: int) -> float:
    """The median wall-clock time of ``action`` in milliseconds (after one warm-up run)."""
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def avro_check(reader: Any, writer: Any) -> Any:
    """Apache Avro's verdict, with a fresh checker (it memoizes pairs across calls)."""
    checker = avro.compatibility.ReaderWriterCompatibilityChecker()  # type: ignore[no-untyped-call]
    return checker.get_compatibility(reader, writer)


def ours_verdict_only(reader: ParsedSchema, writer: ParsedSchema) -> int:
    """Our number of incompatibilities, without searching counterexamples."""
    return len(resolve(reader.compiled, writer.compiled))


def measure(runs: int, fields: int = 2_000) -> dict[str, Any]:
    """Both checkers' times on the compatible and the incompatible pair, and their ratios."""
    case = avro_case(fields)
    fmt = get_format(SchemaType.AVRO)
    texts = {name: getattr(case, name) for name in ("writer", "compatible", "incompatible")}
    ours = {name: fmt.parse(text) for name, text in texts.items()}
    theirs = {name: avro.schema.parse(text) for name, text in texts.items()}
    _agree(fmt, ours, theirs)
    figures = {
        "check compatible": (
            median_ms(lambda: fmt.check(ours["compatible"], ours["writer"]), runs),
            median_ms(lambda: avro_check(theirs["compatible"], theirs["writer"]), runs),
        ),
        "check incompatible, verdict only": (
            median_ms(lambda: ours_verdict_only(ours["incompatible"], ours["writer"]), runs),
            median_ms(lambda: avro_check(theirs["incompatible"], theirs["writer"]), runs),
        ),
    }
    return {
        "benchmark": "compat_vs_avro",
        "fields": case.fields,
        "runs": runs,
        "ms": {
            name: {"ours": round(ours_ms, 3), "avro": round(avro_ms, 3)}
            for name, (ours_ms, avro_ms) in figures.items()
        },
        "avro/ours": {
            name: round(avro_ms / ours_ms, 2) for name, (ours_ms, avro_ms) in figures.items()
        },
        "incompatibilities": BREAKING,
    }


def _agree(fmt: Any, ours: dict[str, ParsedSchema], theirs: dict[str, Any]) -> None:
    compatible = avro.compatibility.SchemaCompatibilityType.compatible
    found = {
        name: (
            len(fmt.check(ours[name], ours["writer"])),
            avro_check(theirs[name], theirs["writer"]),
        )
        for name in ("compatible", "incompatible")
    }
    ours_compatible, avro_compatible = found["compatible"]
    ours_incompatible, avro_incompatible = found["incompatible"]
    if (
        ours_compatible != 0
        or avro_compatible.compatibility is not compatible
        or ours_incompatible != BREAKING
        or avro_incompatible.compatibility is compatible
        or len(avro_incompatible.incompatibilities) != BREAKING
    ):
        raise SystemExit(
            f"the checkers disagree: ours found {ours_compatible} and {ours_incompatible} "
            f"incompatibilities, Avro {avro_compatible.incompatibilities} and "
            f"{avro_incompatible.incompatibilities}"
        )


def render(result: dict[str, Any]) -> str:
    """A plain-text block: each figure for both checkers and the ratio."""
    lines = [
        f"Avro compatibility, ours vs Apache Avro: {result['fields']} nested fields, "
        f"median of {result['runs']} runs"
    ]
    for name, ms in result["ms"].items():
        ratio = result["avro/ours"][name]
        lines.append(
            f"  {name:<34} ours {ms['ours']:9.2f} ms   avro {ms['avro']:9.2f} ms   "
            f"avro/ours {ratio:6.2f}"
        )
    lines.append(
        f"  verdicts agree: compatible reader compatible, the other with "
        f"{result['incompatibilities']} incompatibilities in both"
    )
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.compat_vs_avro", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (median)")
    parser.add_argument("--fields", type=int, default=2_000, help="fields per schema")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    result = measure(args.runs, args.fields)
    print(json.dumps(result, indent=2) if args.format == "json" else render(result))


if __name__ == "__main__":
    main()
