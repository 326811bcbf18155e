"""A schemas tree on disk: files to subjects, as `esr push`, the gate and the plugin read it.

``schemas/orders/OrderPlaced.json`` is subject ``orders.OrderPlaced`` (the path under the root with
``/`` turned into ``.`` and the extension dropped). ``.avsc`` files are AVRO, ``.json`` files are
JSON Schema. Nothing here parses schemas: callers hand the text to the format.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from registry.domain import SchemaType
from registry.errors import InvalidInput

EXTENSIONS: dict[str, SchemaType] = {".avsc": SchemaType.AVRO, ".json": SchemaType.JSON}


@dataclass(frozen=True, slots=True)
class SchemaFile:
    """One schema file of a tree."""

    path: Path
    subject: str
    schema_type: SchemaType

    def read_text(self) -> str:
        """The file's text (UTF-8); undecodable files raise ``InvalidInput``."""
        try:
            return self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{self.path}: not valid UTF-8 ({exc.reason})") from None
        except OSError as exc:
            raise InvalidInput(f"{self.path}: cannot read ({exc.strerror})") from None


def subject_for(root: Path, path: Path) -> str:
    """The subject a file under ``root`` registers as."""
    relative = path.relative_to(root)
    return ".".join((*relative.parent.parts, relative.stem))


def schema_type_for(path: Path) -> SchemaType | None:
    """The schema type a file's extension stands for, or None when it is not a schema file."""
    return EXTENSIONS.get(path.suffix.lower())


def load_tree(root: Path) -> list[SchemaFile]:
    """Every schema file under ``root``, sorted by subject; duplicate subjects are an error."""
    if not root.is_dir():
        raise InvalidInput(f"{root}: not a directory")
    files: dict[str, SchemaFile] = {}
    for path in sorted(root.rglob("*")):
        schema_type = schema_type_for(path)
        if schema_type is None or not path.is_file():
            continue
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        subject = subject_for(root, path)
        if subject in files:
            raise InvalidInput(
                f"{path}: subject '{subject}' is also defined by {files[subject].path}"
            )
        files[subject] = SchemaFile(path, subject, schema_type)
    return [files[s] for s in sorted(files)]
