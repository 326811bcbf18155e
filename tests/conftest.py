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

pytest_plugins = ["pytester", "tests.support.databases"]
