"""The pure conversation core: domain types, events, actions, ports and the engine.

Nothing in this package performs I/O or imports an adapter library; an import-linter
contract in ``pyproject.toml`` enforces it.
"""
