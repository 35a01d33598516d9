"""Baton's published contracts: the one definition of every RPC payload, event and error.

Services share these modules (and ``plugins``), never each other's code. Everything an
integration may send or read is exported as JSON Schema by ``python -m contracts.jsonschema``.
"""
