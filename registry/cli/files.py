"""Files the commands read and write: a schema parsed by its format, an output replaced whole."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from registry.domain import SchemaType
from registry.errors import InvalidInput
from registry.formats import get_format
from registry.formats.base import ParsedSchema


def read_schema(path: Path, kind: SchemaType) -> ParsedSchema:
    """The schema in ``path``, parsed as ``kind``; ``InvalidInput`` naming the file if it is not."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read ({exc})") from None
    try:
        return get_format(kind).parse(text)
    except InvalidInput as exc:
        raise InvalidInput(f"{path}: {exc.message}") from None


def write_output(output: Path | None, text: str) -> None:
    """Write ``text`` to stdout (no ``output``, or ``-``), or replace ``output`` whole.

    The file is written as a temporary file in its folder and renamed over ``output``, so an
    interrupted run leaves the earlier file, never half of one.
    """
    if output is None or str(output) == "-":
        typer.echo(text, nl=False)
        return
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        try:
            temporary.write_text(text, encoding="utf-8", newline="\n")
            os.replace(temporary, output)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as exc:
        raise InvalidInput(f"{output}: cannot write ({exc.strerror or exc})") from None
