"""Helpers shared by test modules."""

from __future__ import annotations

import os

import pytest


def missing_tool(message: str) -> None:
    """Skip a test whose outside tool (browser, validator) is missing, but fail in CI.

    CI installs every tool in .ci/run, so a skip there would hide a broken install step
    (issue 6: CI must fail if any of these tests was skipped).
    """
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must run this test: see .ci/install-page-tools)")
    pytest.skip(message)
