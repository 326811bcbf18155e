"""``python -m bench.validation``: per-event validation time, ours against raw jsonschema-rs.

For the shop's ``orders.OrderPlaced`` (``schemas/orders/OrderPlaced.json``), and with ``--all``
every JSON Schema under ``schemas/``, this generates ``--events`` valid events with our example
generator and a few invalid ones (mutations of them: a required property dropped, a wrong type,
a pattern broken, an unknown property), and times per event:

* ours: ``JsonSchemaFormat().validate(schema, event)``, the call the registry, the contract-test
  plugin and the CI gate make (the jsonschema-rs fast path, with ``jsonschema`` writing the
  violations of an invalid event);
* raw: ``jsonschema_rs.validator_for(schema)`` compiled once, ``is_valid`` and ``validate``
  (with jsonschema-rs's defaults, which do not assert ``format`` in draft 2020-12), and
  ``is_valid`` of one built with ``validate_formats=True``, which asserts them as ours does;
* the ``jsonschema`` path alone (what ``validate`` cost before the fast path), for reference.

Each figure is the median of ``--runs`` passes over all events, after one warm-up pass (which
also compiles our fast path), divided by the number of events. The ratio is raw time / our time
on the valid events, against the faster of ``is_valid`` and ``validate``: 1.0 is raw speed,
the target is at least 0.5. The benchmark stops with an error if ours and raw (with formats)
disagree on any event's verdict.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jsonschema_rs

from registry.formats.base import ParsedSchema
from registry.formats.jsonschema import JsonSchemaFormat
from registry.formats.jsonschema.fast import FastPath
from registry.formats.jsonschema.validate import fast_path

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
HEADLINE = "orders/OrderPlaced.json"
FMT = JsonSchemaFormat()


def per_event_us(action: Callable[[Any], Any], events: list[Any], runs: int) -> float:
    """Median over ``runs`` passes (after a warm-up pass) of the time per event, in µs."""
    for event in events:
        action(event)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for event in events:
            action(event)
        times.append(time.perf_counter() - start)
    return statistics.median(times) / len(events) * 1e6


def _raw_validate(validator: Any) -> Callable[[Any], bool]:
    def validate(event: Any) -> bool:
        try:
            validator.validate(event)
        except jsonschema_rs.ValidationError:
            return False
        return True

    return validate


def invalid_events(valid: list[Any], n: int) -> list[Any]:
    """Up to ``n`` candidates for invalid events: a property dropped, retyped or emptied, or
    an unknown one added (the caller keeps those the schema rejects)."""
    found: list[Any] = []
    for index, event in enumerate(valid):
        if not isinstance(event, dict) or not event:
            continue
        key = sorted(event)[index % len(event)]
        rest = {k: v for k, v in event.items() if k != key}
        for broken in (rest, {**event, key: [None]}, {**event, key: ""}, {**event, "?": 1}):
            if len(found) < n:
                found.append(broken)
    return found


def measure_schema(
    parsed: ParsedSchema, name: str, runs: int, events: int, invalid: int
) -> dict[str, Any]:
    """The figures of one schema."""
    valid = FMT.examples(parsed, events, seed=7)
    broken = [e for e in invalid_events(valid, invalid * 4) if FMT.validate(parsed, e)][:invalid]
    raw = jsonschema_rs.validator_for(parsed.document)
    raw_formats = jsonschema_rs.validator_for(parsed.document, validate_formats=True)
    slow = FMT.parse(parsed.text, parsed.references)
    slow.compiled.fast = FastPath(reason="the jsonschema path alone, for reference")
    for event in [*valid, *broken]:
        if (FMT.validate(parsed, event) == []) != raw_formats.is_valid(event):
            raise SystemExit(f"{name}: ours and raw jsonschema-rs disagree on {json.dumps(event)}")
    figures: dict[str, dict[str, float]] = {}
    for label, group in (("valid", valid), ("invalid", broken)):
        if not group:
            continue
        figures[label] = {
            "ours": per_event_us(lambda e: FMT.validate(parsed, e), group, runs),
            "raw is_valid": per_event_us(raw.is_valid, group, runs),
            "raw validate": per_event_us(_raw_validate(raw), group, runs),
            "raw is_valid, formats": per_event_us(raw_formats.is_valid, group, runs),
            "jsonschema path": per_event_us(lambda e: FMT.validate(slow, e), group, runs),
        }
    good = figures["valid"]
    fastest_raw = min(good["raw is_valid"], good["raw validate"])
    return {
        "schema": name,
        "fast path": fast_path(parsed).validator is not None,
        "events": {"valid": len(valid), "invalid": len(broken)},
        "us/event": {k: {n: round(v, 2) for n, v in f.items()} for k, f in figures.items()},
        "raw/ours": round(fastest_raw / good["ours"], 2),
    }


def measure(
    runs: int, events: int = 300, invalid: int = 10, schemas: Iterable[str] = (HEADLINE,)
) -> dict[str, Any]:
    """Per-event times for each schema (paths relative to ``schemas/``)."""
    results = []
    for name in schemas:
        parsed = FMT.parse((SCHEMAS / name).read_text())
        results.append(measure_schema(parsed, name, runs, events, invalid))
    return {"benchmark": "validation", "runs": runs, "schemas": results}


def render(result: dict[str, Any]) -> str:
    """A plain-text block per schema: µs per event for each validator, and raw/ours."""
    lines = [f"Validation per event, median of {result['runs']} runs"]
    for schema in result["schemas"]:
        counts = schema["events"]
        path = "fast path" if schema["fast path"] else "jsonschema only"
        lines.append(
            f"{schema['schema']} ({path}): {counts['valid']} valid events, "
            f"{counts['invalid']} invalid"
        )
        groups = schema["us/event"]
        lines.append(f"  {'µs/event':<24}" + "".join(f"{label:>10}" for label in groups))
        for name in groups["valid"]:
            cells = "".join(f"{figures[name]:10.2f}" for figures in groups.values())
            lines.append(f"  {name:<24}{cells}")
        lines.append(f"  raw/ours (valid events, raw at its fastest): {schema['raw/ours']:.2f}")
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.validation", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=7, help="passes per figure (median)")
    parser.add_argument("--events", type=int, default=300, help="valid events per schema")
    parser.add_argument("--invalid", type=int, default=10, help="invalid events per schema")
    parser.add_argument("--all", action="store_true", help="every JSON Schema under schemas/")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    names = (
        sorted(str(p.relative_to(SCHEMAS)) for p in SCHEMAS.glob("*/*.json"))
        if args.all
        else [HEADLINE]
    )
    result = measure(args.runs, args.events, args.invalid, names)
    print(json.dumps(result, indent=2) if args.format == "json" else render(result))


if __name__ == "__main__":
    main()
