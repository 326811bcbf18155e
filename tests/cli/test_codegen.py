"""``esr codegen``: models for every catalogue schema type-check and round-trip its examples;
``--check`` for CI; bad input, unknown subjects and versions on a real registry."""

from __future__ import annotations

import dataclasses
import enum
import importlib.util
import json
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest
from typer.testing import CliRunner, Result

from registry.cli.main import app
from registry.client import RegistryClient
from registry.codegen import ModelFlavour
from registry.domain import SchemaInput, SchemaType
from registry.formats import get_format
from registry.formats.convert.avro_to_jsonschema import plain_json
from registry.formats.tree import schema_type_for
from tests.support.server import ESR, ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = sorted([*ROOT.glob("schemas/**/*.json"), *ROOT.glob("schemas/**/*.avsc")])
ORDER_PLACED = ROOT / "schemas" / "orders" / "OrderPlaced.json"
ORDER_CANCELLED = ROOT / "schemas" / "orders" / "OrderCancelled.avsc"
EXAMPLES = 40


def esr(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, ["codegen", *args], env=env, catch_exceptions=False)


def _module_name(flavour: ModelFlavour, schema: Path) -> str:
    return f"esr_codegen_{flavour.value}_{schema.stem}"


@dataclasses.dataclass
class Generated:
    """The modules ``esr codegen`` wrote for the catalogue, loaded."""

    folder: Path
    modules: dict[tuple[ModelFlavour, Path], types.ModuleType]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    """Every catalogue schema through ``esr codegen -o`` in both flavours, imported."""
    folder = tmp_path_factory.mktemp("models")
    modules: dict[tuple[ModelFlavour, Path], types.ModuleType] = {}
    for flavour in ModelFlavour:
        for schema in CATALOGUE:
            target = folder / f"{_module_name(flavour, schema)}.py"
            result = esr(str(schema), "--model", flavour.value, "-o", str(target))
            assert result.exit_code == 0, result.output
            spec = importlib.util.spec_from_file_location(target.stem, target)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[target.stem] = module  # forward references resolve through it
            spec.loader.exec_module(module)
            modules[flavour, schema] = module
    yield Generated(folder, modules)
    for module in modules.values():
        sys.modules.pop(module.__name__, None)


def test_the_catalogue_is_found() -> None:
    kinds = {schema_type_for(path) for path in CATALOGUE}
    assert len(CATALOGUE) >= 10
    assert kinds == {SchemaType.JSON, SchemaType.AVRO}


# --- type checking --------------------------------------------------------------------------

# Uses the models as a consumer would; the last line is a deliberate error, so a mypy run that
# checked nothing (no files, a broken config) cannot pass.
CONSUMER = """\
from esr_codegen_pydantic_OrderPlaced import OrderPlaced
from esr_codegen_dataclasses_OrderCancelled import CancellationReason, OrderCancelled


def total(event: OrderPlaced) -> str:
    return event.total.amount + event.lines[0].unitPrice.currency


def reason(event: OrderCancelled) -> CancellationReason:
    return event.reason


wrong: int = OrderPlaced.model_validate({}).customerId
"""


@pytest.mark.parametrize("plugin", [False, True], ids=["plain", "pydantic-plugin"])
def test_every_generated_module_type_checks_with_mypy_strict(
    generated: Generated, plugin: bool, tmp_path: Path
) -> None:
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\n" + ("plugins = pydantic.mypy\n" if plugin else ""))
    (generated.folder / "consumer_check.py").write_text(CONSUMER)
    files = sorted(str(path) for path in generated.folder.glob("*.py"))
    assert len(files) == 2 * len(CATALOGUE) + 1
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir",
         str(tmp_path / "cache"), *files],
        capture_output=True, text=True, cwd=generated.folder, check=False,
    )  # fmt: skip
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, done.stdout + done.stderr
    assert "consumer_check.py:13: error: Incompatible types in assignment" in errors[0]
    assert f"Found 1 error in 1 file (checked {len(files)} source files)" in done.stdout


# --- round trips ----------------------------------------------------------------------------


def _examples(schema: Path) -> list[Any]:
    """The engine's examples in plain JSON form (Avro: bytes as text, unions as bare values)."""
    schema_type = schema_type_for(schema)
    assert schema_type is not None
    form = get_format(schema_type)
    parsed = form.parse(schema.read_text(encoding="utf-8"))
    found = [plain_json(example) for example in form.examples(parsed, EXAMPLES, seed=15)]
    assert len(found) == EXAMPLES
    return found


def _top_level(module: types.ModuleType, schema: Path) -> Any:
    """The class the schema's title or Avro record name names (the file stem in the catalogue)."""
    return getattr(module, schema.stem)


@pytest.mark.parametrize("schema", CATALOGUE, ids=lambda path: path.stem)
def test_pydantic_models_round_trip_the_engines_examples(
    generated: Generated, schema: Path
) -> None:
    model = _top_level(generated.modules[ModelFlavour.PYDANTIC, schema], schema)
    for example in _examples(schema):
        loaded = model.model_validate(example)
        # exclude_unset: an optional property the example leaves out stays out. Nothing else is
        # adjusted: Avro logical types are in their base type's form on both sides (a
        # timestamp-millis is an int, a uuid its text), and unions are bare values. The engine's
        # date-times (Z) and URIs (with a path) are already in pydantic's normal form; other
        # spellings come back normalised (docs/codegen.md, "Limits").
        assert loaded.model_dump(mode="json", by_alias=True, exclude_unset=True) == example


@pytest.mark.parametrize("schema", CATALOGUE, ids=lambda path: path.stem)
def test_dataclasses_round_trip_the_engines_examples(generated: Generated, schema: Path) -> None:
    # Standard dataclasses do not build nested instances from dicts, nor check types: the test
    # builds them from the annotations (checking each value's type on the way) and writes them
    # back, then checks that every field the example left out holds its declared default.
    cls = _top_level(generated.modules[ModelFlavour.DATACLASSES, schema], schema)
    for example in _examples(schema):
        built = _build(cls, example)
        assert isinstance(built, cls)
        assert _dump(built, example) == example


def _build(hint: Any, value: Any) -> Any:
    """An instance of ``hint`` from a JSON value; ``TypeError`` or ``ValueError`` if it is not."""
    origin = get_origin(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(value, dict):
            raise TypeError(f"{hint.__name__} needs an object, not {value!r}")
        hints = get_type_hints(hint)
        unknown = set(value) - {field.name for field in dataclasses.fields(hint)}
        if unknown:
            raise TypeError(f"{hint.__name__} has no fields {sorted(unknown)}")
        return hint(**{name: _build(hints[name], item) for name, item in value.items()})
    if origin in (Union, types.UnionType):
        for option in get_args(hint):
            try:
                return _build(option, value)
            except (TypeError, ValueError):
                continue
        raise TypeError(f"{value!r} fits no branch of {hint}")
    if origin is list:
        if not isinstance(value, list):
            raise TypeError(f"{value!r} is not a list")
        return [_build(get_args(hint)[0], item) for item in value]
    if origin is dict:
        if not isinstance(value, dict):
            raise TypeError(f"{value!r} is not an object")
        return {key: _build(get_args(hint)[1], item) for key, item in value.items()}
    if origin is Literal:
        if value not in get_args(hint):
            raise ValueError(f"{value!r} is not one of {get_args(hint)}")
        return value
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if hint is type(None) or hint is None:
        if value is not None:
            raise TypeError(f"{value!r} is not null")
        return None
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if hint in (str, int, bool) and type(value) is hint:
        return value
    raise TypeError(f"{value!r} is not a {hint}")


def _dump(value: Any, like: Any) -> Any:
    """``value`` as JSON, keeping the fields ``like`` (the source) has; the others must hold
    their declared defaults, so nothing was dropped or invented."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for field in dataclasses.fields(value):
            current = getattr(value, field.name)
            if field.name in like:
                out[field.name] = _dump(current, like[field.name])
            else:
                assert field.default is not dataclasses.MISSING, field.name
                assert current == field.default, field.name
        return out
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_dump(item, source) for item, source in zip(value, like, strict=True)]
    if isinstance(value, dict):
        return {key: _dump(item, like[key]) for key, item in value.items()}
    return value


def test_the_dataclass_round_trip_refuses_what_does_not_fit(generated: Generated) -> None:
    cls = _top_level(generated.modules[ModelFlavour.DATACLASSES, ORDER_CANCELLED], ORDER_CANCELLED)
    example = _examples(ORDER_CANCELLED)[0]
    with pytest.raises(ValueError, match="is not a valid CancellationReason"):
        _build(cls, {**example, "reason": "BORED"})
    with pytest.raises(TypeError, match="is not a <class 'int'>"):
        _build(cls, {**example, "cancelledAt": "yesterday"})
    with pytest.raises(TypeError, match="has no fields"):
        _build(cls, {**example, "extra": 1})


# --- output and --check ---------------------------------------------------------------------


def test_the_models_go_to_stdout_by_default() -> None:
    result = esr(str(ORDER_PLACED))
    assert result.exit_code == 0, result.output
    assert "class OrderPlaced(BaseModel):" in result.stdout
    assert result.stdout.startswith("# Generated by esr codegen from ")


def test_check_passes_on_a_fresh_file_and_fails_on_an_edited_or_missing_one(
    tmp_path: Path,
) -> None:
    target = tmp_path / "order_placed.py"
    assert esr(str(ORDER_PLACED), "-o", str(target)).exit_code == 0

    fresh = esr(str(ORDER_PLACED), "-o", str(target), "--check")
    assert fresh.exit_code == 0, fresh.output
    assert "is up to date" in fresh.stdout

    target.write_text(target.read_text().replace("class Money", "class Cash"))
    stale = esr(str(ORDER_PLACED), "-o", str(target), "--check")
    assert stale.exit_code == 1
    assert f"{target} is stale: it differs from the models generated from" in stale.stderr
    assert "-class Cash(BaseModel):" in stale.stderr
    assert "+class Money(BaseModel):" in stale.stderr
    assert "Cash" in target.read_text()  # --check never writes

    missing = esr(str(ORDER_PLACED), "-o", str(tmp_path / "nope.py"), "--check")
    assert missing.exit_code == 1
    assert "nope.py is missing: generate it with esr codegen -o" in missing.stderr
    assert not (tmp_path / "nope.py").exists()


def test_check_notices_a_change_of_flavour(tmp_path: Path) -> None:
    target = tmp_path / "models.py"
    assert esr(str(ORDER_PLACED), "-o", str(target), "-m", "dataclasses").exit_code == 0
    assert esr(str(ORDER_PLACED), "-o", str(target), "--check", "-m", "dataclasses").exit_code == 0
    assert esr(str(ORDER_PLACED), "-o", str(target), "--check").exit_code == 1


# --- bad input ------------------------------------------------------------------------------


def _refused(result: Result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {message}")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.json", '{"type": "object",', "Invalid schema: Invalid JSON"),
        ("bad.avsc", '{"type": "record", "name": "R"}', "Invalid schema"),
        ("bad.avsc", '{"type": "record", "name": "R", "fields": [{"name": "a"}]}', "Invalid"),
        ("bad.avsc", "not json at all", "Invalid schema"),
        ("bad.txt", "{}", "cannot tell the schema type from the extension"),
        (
            "remote.json",
            '{"properties": {"a": {"$ref": "https://example.invalid/a.json"}}}',
            "Invalid schema: Unresolvable $ref 'https://example.invalid/a.json'",
        ),
    ],
    ids=["malformed-json", "avro-no-fields", "avro-field-no-type", "avro-not-json", "extension",
         "remote-ref"],
)  # fmt: skip
def test_bad_schema_files_exit_2_with_one_line_and_no_output_file(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    source = tmp_path / name
    source.write_text(text)
    target = tmp_path / "models.py"
    _refused(esr(str(source), "-o", str(target)), f"{source}: {message}")
    assert list(tmp_path.iterdir()) == [source]


def test_an_existing_output_file_is_left_alone_when_the_schema_is_bad(tmp_path: Path) -> None:
    source, target = tmp_path / "bad.json", tmp_path / "models.py"
    source.write_text("{")
    target.write_text("# models from before\n")
    assert esr(str(source), "-o", str(target)).exit_code == 2
    assert target.read_text() == "# models from before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "models.py"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give a schema FILE, or --subject"),
        ((str(ORDER_PLACED), "--subject", "s"), "give a schema FILE or --subject, not both"),
        ((str(ORDER_PLACED), "--check"), "--check needs --output FILE"),
        (("missing.json",), "missing.json: cannot read (No such file or directory)"),
        (("--subject", "s", "--version", "first"), "--version: a positive number or latest"),
    ],
    ids=["nothing", "both", "check-without-output", "missing-file", "bad-version"],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    _refused(esr(*args), message)


def test_an_unknown_model_flavour_is_a_usage_error() -> None:
    result = esr(str(ORDER_PLACED), "--model", "attrs")
    assert result.exit_code == 2
    assert "'attrs' is not one of 'pydantic', 'dataclasses'" in result.output


# --- from a registry ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shop_registry(live_registry: ServerProcess) -> ServerProcess:
    """The live registry with two versions of orders.OrderPlaced and an Avro subject."""
    placed = json.loads(ORDER_PLACED.read_text())
    widened = {**placed, "properties": {**placed["properties"], "note": {"type": "string"}}}
    with RegistryClient(live_registry.url) as client:
        client.register(
            "codegen.OrderPlaced", SchemaInput(ORDER_PLACED.read_text(), SchemaType.JSON)
        )
        client.register("codegen.OrderPlaced", SchemaInput(json.dumps(widened), SchemaType.JSON))
        client.register("codegen.OrderCancelled", SchemaInput(ORDER_CANCELLED.read_text()))
    return live_registry


def _body(text: str) -> str:
    """The module without its two header lines (which name the source)."""
    return text.split("\n", 2)[2]


def test_a_subject_version_gives_the_same_models_as_its_file(shop_registry: ServerProcess) -> None:
    from_file = esr(str(ORDER_PLACED))
    first = esr("--subject", "codegen.OrderPlaced", "--version", "1", "-r", shop_registry.url)
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith(
        "# Generated by esr codegen from subject codegen.OrderPlaced version 1 (pydantic v2"
    )
    assert _body(first.stdout) == _body(from_file.stdout)

    latest = esr("--subject", "codegen.OrderPlaced", "-r", shop_registry.url)
    assert "from subject codegen.OrderPlaced version 2" in latest.stdout
    assert "    note: str | None = None" in latest.stdout

    avro = esr("-s", "codegen.OrderCancelled", "-m", "dataclasses", "-r", shop_registry.url)
    assert avro.exit_code == 0, avro.output
    assert _body(avro.stdout) == _body(esr(str(ORDER_CANCELLED), "-m", "dataclasses").stdout)


def test_the_registry_comes_from_esr_registry_url(shop_registry: ServerProcess) -> None:
    result = esr("--subject", "codegen.OrderPlaced", env={"ESR_REGISTRY_URL": shop_registry.url})
    assert result.exit_code == 0, result.output
    assert "class OrderPlaced(BaseModel):" in result.stdout


def test_check_against_the_latest_version_notices_a_new_one(
    shop_registry: ServerProcess, tmp_path: Path
) -> None:
    target = tmp_path / "placed.py"
    url = shop_registry.url
    assert (
        esr("-s", "codegen.OrderPlaced", "--version", "1", "-r", url, "-o", str(target)).exit_code
        == 0
    )
    args = ("-s", "codegen.OrderPlaced", "-r", url, "-o", str(target), "--check")
    assert esr(*args, "--version", "1").exit_code == 0
    stale = esr(*args)
    assert stale.exit_code == 1
    assert "+    note: str | None = None" in stale.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--subject", "codegen.Nope"), "Subject 'codegen.Nope' not found."),
        (
            ("--subject", "codegen.OrderPlaced", "--version", "9"),
            "Version 9 not found for subject 'codegen.OrderPlaced'.",
        ),
    ],
    ids=["unknown-subject", "unknown-version"],
)
def test_unknown_subjects_and_versions_exit_2(
    shop_registry: ServerProcess, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    target = tmp_path / "models.py"
    _refused(esr(*args, "-r", shop_registry.url, "-o", str(target)), message)
    assert not target.exists()


def test_the_installed_command_reports_an_unknown_subject_in_one_line(
    shop_registry: ServerProcess, tmp_path: Path
) -> None:
    target = tmp_path / "models.py"
    done = subprocess.run(
        [str(ESR), "codegen", "-s", "codegen.Nope", "-r", shop_registry.url, "-o", str(target)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "error: Subject 'codegen.Nope' not found.\n"
    assert not target.exists()


def test_an_unreachable_registry_exits_3_as_for_every_command(tmp_path: Path) -> None:
    # The CLI's one table (registry/cli/errors.py) gives an unreachable registry exit code 3.
    url = f"http://127.0.0.1:{free_port()}"
    result = esr("--subject", "codegen.OrderPlaced", "-r", url, "-o", str(tmp_path / "m.py"))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: Registry at {url} is unreachable")
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
