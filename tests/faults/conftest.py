"""Fault tests (`make test-faults`): their own PostgreSQL and Redis, restarted under load. Not in `make test`.

They run only when STORD_FAULTS=1 (the make target sets it), so a plain `pytest` or `make test` never
starts servers for them, whatever `-m` expression it is given.
"""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config, items):
    faults = [item for item in items if "tests/faults/" in str(item.fspath)]
    for item in faults:
        item.add_marker(pytest.mark.faults)
    if os.environ.get("STORD_FAULTS") != "1" and faults:
        config.hook.pytest_deselected(items=faults)
        items[:] = [item for item in items if item not in faults]
