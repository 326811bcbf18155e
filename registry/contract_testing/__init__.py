"""Schema-first contract tests for event producers and consumers (pure: no pytest here).

The pytest plugin (``registry.pytest_plugin``) is a thin front end over this package; anything
else (a script, another test runner) can use it directly::

    contracts = load_contracts(Path("contracts"))
    engine = EventContracts(contracts, LocalTreeSource(Path("schemas")))
    engine.check_subjects()        # every contract names a subject the source has (or file:line)
    with engine.capture() as events:
        publish_order()            # boto3 / Azure SDK calls are captured, answered in memory
    events.assert_conform()
    engine.verify_consumer(handler, "payments.PaymentCaptured", n=50)
"""

from registry.contract_testing.capture import CapturedEvent, CapturedEvents, ContractViolation
from registry.contract_testing.envelopes import LambdaContext, envelope
from registry.contract_testing.loading import load_contract, load_contracts, parse_contract
from registry.contract_testing.model import (
    Binding,
    ContractSet,
    Role,
    ServiceContract,
    Transport,
)
from registry.contract_testing.report import Report
from registry.contract_testing.schemas import (
    LocalTreeSource,
    RegistrySource,
    ResolvedSubject,
    SchemaResolver,
    SchemaSource,
    SourceSchema,
)
from registry.contract_testing.verify import (
    ConsumerEvent,
    ConsumerFailed,
    EventContract,
    EventContracts,
    Options,
)

__all__ = [
    "Binding",
    "CapturedEvent",
    "CapturedEvents",
    "ConsumerEvent",
    "ConsumerFailed",
    "ContractSet",
    "ContractViolation",
    "EventContract",
    "EventContracts",
    "LambdaContext",
    "LocalTreeSource",
    "Options",
    "RegistrySource",
    "Report",
    "ResolvedSubject",
    "Role",
    "SchemaResolver",
    "SchemaSource",
    "ServiceContract",
    "SourceSchema",
    "Transport",
    "envelope",
    "load_contract",
    "load_contracts",
    "parse_contract",
]
