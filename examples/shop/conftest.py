"""The example shop's tests: boto3 never looks for real credentials or the metadata service.

The contract-test fixtures (``captured_events``, ``event_contracts``, ``contract_event``) and
markers (``produces``, ``consumes``) come from the ``esr`` pytest plugin, installed with the
package; the contracts are read from ``contracts/`` and the schemas from ``schemas/``.
"""

from __future__ import annotations

import os

os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
