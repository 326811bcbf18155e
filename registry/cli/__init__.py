"""The ``esr`` command line."""
