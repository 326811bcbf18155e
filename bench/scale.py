"""A registry at scale: 100,000 schemas in 10,000 subjects, through ``esr serve``.

Method. The database is filled directly through the storage layer (each schema parsed by its
format, as a registration would; 10 versions of a small Avro record per subject, every version a
distinct schema), which takes seconds instead of the minutes 100,000 HTTP registrations would.
Then one ``esr serve`` (one worker, access log off, default cache sizes) starts on it and is
measured from outside:

* start time: from spawning ``esr serve`` to the first ``/health`` answer;
* resident memory (VmRSS) after start and after the whole run, which shows the caches bounded;
* ``GET /schemas/ids/{id}`` with ids drawn at random over all 100,000 (``wrk -t1 -c32`` with a
  Lua script), twice: cold (the first pass fills the caches) and warm;
* ``GET /subjects`` (10,000 names), ``GET /schemas?latestOnly=true`` with ``limit=100`` at random
  offsets, and without paging (10,000 schemas): p50 and p99 of sequential requests;
* registrations per second with 8 concurrent clients, each registering new versions.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.history import record
from bench.processes import database, esr_serve, on_each_database, wrk_available

LUA = """
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/schemas/ids/" .. math.random(1, {max_id}))
end
"""


def schema_text(subject: int, version: int) -> str:
    """Version ``version`` of subject number ``subject``: a small, distinct Avro record."""
    fields = [{"name": f"f{i}", "type": "long", "default": i} for i in range(version)]
    record = {"type": "record", "name": f"S{subject}", "namespace": "scale", "fields": fields}
    return json.dumps(record)


def fill(url: str, subjects: int, versions: int) -> float:
    """Write ``subjects`` x ``versions`` schemas; return the seconds it took."""
    from registry.domain import SchemaInput, SchemaType, StoredSchema
    from registry.formats import get_format
    from registry.service.naming import schema_identity
    from registry.storage import repository as repo
    from registry.storage.engine import Database
    from registry.storage.migrate import upgrade

    start = time.perf_counter()
    db = Database(url)
    upgrade(db)
    avro = get_format(SchemaType.AVRO)
    next_id = 1
    for first in range(0, subjects, 500):
        with db.write() as session:
            for subject in range(first, min(subjects, first + 500)):
                for version in range(1, versions + 1):
                    text = schema_text(subject, version)
                    parsed = avro.parse(text)
                    stored = StoredSchema(
                        next_id,
                        SchemaType.AVRO,
                        text,
                        parsed.canonical,
                        schema_identity(parsed, SchemaInput(text)),
                    )
                    repo.insert_schema(session, stored)
                    repo.insert_version(session, f"scale-{subject:05d}", version, next_id)
                    next_id += 1
    db.dispose()
    return time.perf_counter() - start


def rss_mib(pid: int) -> float:
    """Resident memory of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def wait_for_warm_up(log: Path, timeout: float = 600) -> float:
    """Seconds until the server logs the end of its cache warm-up (from the log line)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"cache warm-up: \d+ schemas in ([\d.]+) s", log.read_text())
        if found:
            return float(found.group(1))
        time.sleep(0.2)
    raise RuntimeError("the server never finished warming its cache")


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 and p99 in milliseconds."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(p99 * 1000, 2),
        "n": len(ordered),
    }


def timed_gets(client: httpx.Client, paths: list[str]) -> dict[str, float]:
    """Sequential GETs of ``paths``; their latency percentiles."""
    samples = []
    for path in paths:
        start = time.perf_counter()
        client.get(path).raise_for_status()
        samples.append(time.perf_counter() - start)
    return percentiles(samples)


def registrations(url: str, clients: int, seconds: float) -> dict[str, float]:
    """Registrations per second from ``clients`` threads, each on its own subject."""
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def work(n: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            version = 1
            while time.monotonic() < stop:
                answer = client.post(
                    f"/subjects/load-{n}/versions", json={"schema": record(version)}
                )
                answer.raise_for_status()
                counts[n] += 1
                version += 1

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"per_second": round(sum(counts) / elapsed, 1), "total": sum(counts), "clients": clients}


def wrk_random_ids(url: str, max_id: int, seconds: float, workdir: Path) -> dict[str, float]:
    """``wrk -t1 -c32`` on random ids."""
    import subprocess

    script = workdir / "random-ids.lua"
    script.write_text(LUA.replace("{max_id}", str(max_id)))
    command = ["wrk", "-t1", "-c32", f"-d{max(1, round(seconds))}s", "--latency", "-s"]
    out = subprocess.run(
        [*command, str(script), url], capture_output=True, text=True, check=True
    ).stdout

    def latency(label: str) -> float:
        found = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\b", out, re.MULTILINE)
        if found is None:
            return float("nan")
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": round(float(rps.group(1))) if rps else float("nan"),
        "p50_ms": latency("50%"),
        "p99_ms": latency("99%"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def measure_database(
    kind: str, *, subjects: int, versions: int, seconds: float, workdir: Path
) -> dict[str, Any]:
    """Every figure of one database kind."""
    total = subjects * versions
    result: dict[str, Any] = {"database": kind, "schemas": total, "subjects": subjects}
    with database(kind, workdir) as url:
        result["fill_seconds"] = round(fill(url, subjects, versions), 1)
        if wrk_available():
            with esr_serve(url, workdir, warm_cache="false") as cold:
                result["ids_cold"] = wrk_random_ids(cold.url, total, seconds, workdir)
        started = time.perf_counter()
        with (
            esr_serve(url, workdir, log_level="info") as server,
            httpx.Client(base_url=server.url, timeout=120) as client,
        ):
            result["start_seconds"] = round(time.perf_counter() - started, 2)
            assert server.process is not None
            pid = server.process.pid
            result["rss_after_start_mib"] = rss_mib(pid)
            result["warm_up_seconds"] = wait_for_warm_up(server.log)
            result["rss_after_warm_up_mib"] = rss_mib(pid)
            if wrk_available():
                result["ids_warm"] = wrk_random_ids(server.url, total, seconds, workdir)
            rng = random.Random(7)
            result["list_subjects"] = timed_gets(client, ["/subjects"] * 20)
            result["latest_page"] = timed_gets(
                client,
                [
                    f"/schemas?latestOnly=true&limit=100&offset={rng.randrange(subjects)}"
                    for _ in range(50)
                ],
            )
            result["latest_all"] = timed_gets(client, ["/schemas?latestOnly=true"] * 5)
            result["register_8_clients"] = registrations(server.url, 8, seconds)
            result["rss_after_run_mib"] = rss_mib(pid)
    return result


def measure(
    *,
    subjects: int = 10_000,
    versions: int = 10,
    seconds: float = 8,
    postgres: bool = True,
    workdir: Path | None = None,
) -> dict[str, Any]:
    """The figures on SQLite and (when reachable and asked for) PostgreSQL."""
    notes = [] if wrk_available() else ["wrk is not installed: id lookups not measured"]
    return on_each_database(
        measure_database,
        postgres=postgres,
        workdir=workdir,
        notes=notes,
        subjects=subjects,
        versions=versions,
        seconds=seconds,
    )


def render(result: dict[str, Any]) -> str:
    """A plain-text report per database."""
    lines = []
    for run in result["runs"]:
        lines.append(
            f"Scale, {run['database']}: {run['schemas']:,} schemas in {run['subjects']:,} "
            f"subjects (filled in {run['fill_seconds']} s)"
        )
        lines.append(
            f"  start {run['start_seconds']} s, cache warm-up {run['warm_up_seconds']} s more; "
            f"RSS {run['rss_after_start_mib']} MiB after start, "
            f"{run['rss_after_warm_up_mib']} after warm-up, "
            f"{run['rss_after_run_mib']} after the run"
        )
        for key, label in (
            ("ids_cold", "no warm-up (REGISTRY_WARM_CACHE=false)"),
            ("ids_warm", "after warm-up"),
        ):
            if key in run:
                f = run[key]
                lines.append(
                    f"  GET /schemas/ids/<random> {label}: {f['rps']:,} req/s, "
                    f"p50 {f['p50_ms']:.2f} ms, p99 {f['p99_ms']:.2f} ms"
                )
        for key, label in (
            ("list_subjects", "GET /subjects"),
            ("latest_page", "GET /schemas?latestOnly=true&limit=100"),
            ("latest_all", "GET /schemas?latestOnly=true"),
        ):
            f = run[key]
            lines.append(f"  {label}: p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms")
        r = run["register_8_clients"]
        lines.append(f"  registrations, {r['clients']} clients: {r['per_second']:,} per second")
    lines += [f"  note: {note}" for note in result.get("notes", [])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.scale``."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    result = measure(
        subjects=args.subjects,
        versions=args.versions,
        seconds=args.seconds,
        postgres=not args.no_postgres,
    )
    sys.stdout.write(json.dumps(result, indent=2) if args.format == "json" else render(result))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
