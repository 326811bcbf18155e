"""The official AsyncAPI schemas the tests validate with: the version the Makefile pins, read
from local files only."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.asyncapi.conftest import ROOT
from tests.asyncapi.specs import SPECS_VERSION, problems


def test_the_fetched_specs_are_the_version_the_makefile_pins(asyncapi_specs: Path) -> None:
    pinned = re.search(r"^ASYNCAPI_SPECS_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M)

    assert pinned is not None and pinned.group(1) == SPECS_VERSION
    package = json.loads((asyncapi_specs / "package.json").read_text())
    assert (package["name"], package["version"]) == ("@asyncapi/specs", SPECS_VERSION)
    assert (asyncapi_specs / "schemas" / "3.0.0.json").is_file()


def test_the_validator_rejects_what_the_specification_rejects(asyncapi_specs: Path) -> None:
    info = {"title": "x", "version": "1"}
    sqs_without_fifo = {"sqs": {"queue": {"name": "q"}}}
    made_up_binding = {"eventbridge": {"detailType": "X"}}

    assert problems({"asyncapi": "3.0.0", "info": info}) == []
    assert problems({"asyncapi": "3.0.0"}) != []
    for bindings in (sqs_without_fifo, made_up_binding):
        channel = {"address": "a", "bindings": bindings}
        assert problems({"asyncapi": "3.0.0", "info": info, "channels": {"c": channel}}) != []
