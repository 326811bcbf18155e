"""Where the third-party data outside this repository lives, and what a test does without it.

The conformance data (Confluent's and Apicurio's compatibility cases, see its README for formats
and licences) is never copied into this repository. It lives in ``conformance/`` under the
folder named by ``ESR_SHARED_DIR`` (read from the repository root when relative), by default
``../shared`` beside the repository. Not ``REGISTRY_*``: those names are the server's settings.

A test without its data skips and says which path is missing and how to point at it; under CI
(``CI=true``, as ``.ci/run`` sets) it fails instead, so a run that silently dropped the
conformance tests cannot pass.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.ci import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR_VARIABLE = "ESR_SHARED_DIR"


def shared_dir() -> Path:
    """The folder holding ``conformance/``: ``ESR_SHARED_DIR``, else ``../shared``."""
    configured = os.environ.get(SHARED_DIR_VARIABLE)
    return ROOT / configured if configured else ROOT.parent / "shared"


def conformance_path(*parts: str) -> Path:
    """A path under the conformance data; it may not exist (see :func:`require`)."""
    return shared_dir().joinpath("conformance", *parts)


def require(path: Path) -> Path:
    """``path`` when it exists; otherwise skip (or fail under CI) saying what is missing."""
    if not path.exists():
        skip_or_fail(
            f"conformance data {path} is absent: set {SHARED_DIR_VARIABLE} to the folder "
            "holding conformance/ (default ../shared beside the repository)"
        )
    return path
