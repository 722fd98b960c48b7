"""Helpers shared by test modules."""

from __future__ import annotations

from typing import NoReturn

import pytest


def missing_tool(message: str) -> NoReturn:
    """Fail a test whose outside tool (browser, validator, Hugo) is missing.

    Never a skip: ``.ci/run`` installs every one of them, and a skipped test would pass a run
    that never looked at what it checks (issue 6). On a developer machine the message says
    what to install.
    """
    pytest.fail(f"{message} (.ci/run installs it)")
