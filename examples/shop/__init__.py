"""The example shop: four small services whose events are checked by contract tests.

Each service has ``service.py`` (producers, calling boto3 or the Azure SDK as production code
would) and ``handlers.py`` (Lambda-style consumers, or the callback an Azure SDK receiver
invokes). Their contracts are in ``contracts/`` and the schemas in ``schemas/`` at the root of
the repository; their tests are in ``tests/``.
"""
