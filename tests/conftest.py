"""Shared test configuration: fixtures live in ``tests/plugins``."""

pytest_plugins = [
    "tests.plugins.databases",
    "tests.plugins.core",
    "tests.plugins.rasa_server",
]
