"""The baseline of the id-lookup benchmark: a bare ASGI callable answering fixed bytes.

``python -m bench.bare --port P BODY_FILE`` serves the file's bytes with the registry's media
type on every path, through ``uvicorn.run`` with exactly the options ``esr serve`` uses
(``registry.cli.serve.uvicorn_options``, settings from the same ``REGISTRY_*`` environment,
``REGISTRY_WORKERS`` included), so the registry and the baseline differ only in the
application. It is the most the stack can do.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from starlette.types import Receive, Scope, Send

BODY_FILE = "BENCH_BODY_FILE"
BODY = Path(os.environ[BODY_FILE]).read_bytes() if BODY_FILE in os.environ else b"{}"
HEADERS = [
    (b"content-type", b"application/vnd.schemaregistry.v1+json"),
    (b"content-length", str(len(BODY)).encode()),
]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer every HTTP request with BODY."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def main() -> None:
    """Serve the body file until stopped."""
    import uvicorn

    from registry.cli.serve import uvicorn_options
    from registry.config import Settings

    parser = argparse.ArgumentParser(prog="python -m bench.bare")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("body_file", type=Path)
    args = parser.parse_args()
    os.environ[BODY_FILE] = str(args.body_file.resolve())
    options = uvicorn_options(Settings(host="127.0.0.1", port=args.port))
    uvicorn.run("bench.bare:app", **options)


if __name__ == "__main__":
    main()
