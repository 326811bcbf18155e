"""Test-wide setup: no cloud credential probing, and helpers for SQLite and PostgreSQL."""

from __future__ import annotations

import os

# boto3 must never look for real credentials or probe the instance-metadata address.
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
    os.environ.pop(_name, None)

# httpx imports httpcore on its first request and caches a map of httpcore's exception classes.
# When that first request happens inside an in-process pytester session, pytester removes the
# modules it imported afterwards; the next import of httpcore makes new classes the cached map
# does not know, and a refused connection escapes as a raw httpcore.ConnectError. Import them
# up front, outside any inner session.
import httpcore  # noqa: E402
import httpcore._backends.sync  # noqa: E402
import httpcore._sync.connection_pool  # noqa: E402, F401

pytest_plugins = ["pytester", "tests.support.databases"]
