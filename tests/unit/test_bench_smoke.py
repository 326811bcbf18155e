"""The benchmark modules run and report figures of the documented shape (never timed here)."""

from __future__ import annotations

from bench import compat_vs_avro, validation


def test_compat_vs_avro_measures_both_checkers() -> None:
    result = compat_vs_avro.measure(runs=1, fields=160)
    assert result["fields"] == 160 and result["runs"] == 1
    figures = ["check compatible", "check incompatible, verdict only"]
    assert list(result["ms"]) == figures
    assert all(set(ms) == {"ours", "avro"} for ms in result["ms"].values())
    assert list(result["avro/ours"]) == figures
    assert "avro/ours" in compat_vs_avro.render(result)


def test_validation_measures_ours_and_raw() -> None:
    result = validation.measure(runs=1, events=5, invalid=2)
    [schema] = result["schemas"]
    assert schema["schema"] == validation.HEADLINE and schema["fast path"]
    assert schema["events"] == {"valid": 5, "invalid": 2}
    assert set(schema["us/event"]) == {"valid", "invalid"}
    expected = {"ours", "raw is_valid", "raw validate", "raw is_valid, formats", "jsonschema path"}
    assert all(set(figures) == expected for figures in schema["us/event"].values())
    assert isinstance(schema["raw/ours"], float)
    assert "raw/ours" in validation.render(result)


def test_engine_measures_both_formats() -> None:
    from bench import engine

    result = engine.measure(runs=1, fields=160)
    assert [f["format"] for f in result["formats"]] == ["Avro", "JSON Schema"]
    assert all(len(f["rules"]) == 4 for f in result["formats"])
    assert "check/parse" in engine.render(result)
