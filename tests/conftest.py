"""Fixtures shared across the suite: the bundled sample publication, published once."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedsmith.publish import PublishOptions, publish
from tests.feed_support import ALL_KEYS, Published, publish_copy

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CONTENT = REPO / "content"
# A fixed clock keeps outputs comparable; it is after every sample article.
SAMPLE_NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def sample_content(tmp_path: Path) -> Path:
    """A private copy of the sample content (publish writes feedsmith.lock beside it)."""
    copy = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, copy)
    return copy


@pytest.fixture(scope="session")
def sample_public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample content published once for read-only checks."""
    root = tmp_path_factory.mktemp("sample")
    content = root / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    out = root / "public"
    publish(PublishOptions(content_dir=content, out_dir=out, now=SAMPLE_NOW))
    return out


@pytest.fixture(scope="session")
def all_keys(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """tests/sites/all-keys (every optional key) published once, for read-only checks."""
    return publish_copy(ALL_KEYS, tmp_path_factory.mktemp("all-keys"))
