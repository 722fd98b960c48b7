"""Issue 4: hostile HTML in bodies reaches no feed and no page (every output file checked)."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from tests.input_support import assert_feeds_well_formed, feed_files, publish_cli, write_site

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example/"></iframe>',
    '<img src="x.png" onerror="alert(1)">',
    '<p onclick="alert(1)" ONMOUSEOVER="alert(1)">click</p>',
    '<a href="javascript:alert(1)">js</a>',
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab entity</a>',
    '<a href="jav\tascript:alert(1)">tab</a>',
    '<a href="&#106;avascript:alert(1)">entity</a>',
    '<a href=" javascript:alert(1)">space</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    '<img srcset="javascript:alert(1) 1x, ok.png 2x">',
    "<svg><script>alert(1)</script></svg>",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<math><mtext><a href="javascript:alert(1)">m</a></mtext></math>',
    '<math><style><img src=x onerror="alert(1)"></style></math>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">b</button></form>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<video src="https://evil.example/v.mp4" poster="javascript:alert(1)"></video>',
    "<template><script>alert(1)</script></template>",
    "<!--<script>alert(1)</script>-->",
    '<scr<script>ipt>alert(1)</script>',
    '<a href="https://ok.example/" target="_blank" onfocus="alert(1)" autofocus>ok</a>',
]
MARKDOWN_EXTRA = [
    "[md link](javascript:alert(1))",
    "![md image](javascript:alert(1))",
    "[ref][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
]
BANNED_ELEMENTS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "form",
    "base", "meta", "link", "video", "audio", "noscript", "template", "input",
}
URL_ATTRIBUTES = {
    "href", "src", "srcset", "action", "formaction", "poster", "data", "background",
    "xlink:href", "cite", "longdesc", "lowsrc", "dynsrc", "content",
}


def _body(format_html: bool) -> str:
    parts = HOSTILE if format_html else HOSTILE + MARKDOWN_EXTRA
    return "\n\n".join(parts)


def _site(root: Path, hostile: bool) -> Path:
    def article(format_html: bool) -> str:
        body = _body(format_html) if hostile else "A harmless <em>body</em>."
        text = "title: t\npublished: 2025-06-01\ncategories: [Port]\n"
        text += "format: html\n" if format_html else ""
        return text + "body: " + json.dumps(body) + "\n"

    return write_site(root, {"as-html.yaml": article(True), "as-markdown.yaml": article(False)})


def _fragments(out: Path) -> list[tuple[str, lxml.html.HtmlElement]]:
    """Every HTML document or fragment in the output: pages, and content inside feeds."""
    found: list[tuple[str, lxml.html.HtmlElement]] = []
    for path in sorted(out.rglob("*.html")):
        found.append((str(path), lxml.html.document_fromstring(path.read_bytes())))
    for path in feed_files(out):
        data = path.read_bytes()
        if path.suffix == ".json":
            for item in json.loads(data)["items"]:
                html = f"<div>{item['content_html']}</div>"
                found.append((f"{path} item", lxml.html.fromstring(html)))
            continue
        for element in etree.fromstring(data).iter():
            if element.text and "<" in element.text:
                html = f"<div>{element.text}</div>"
                found.append((f"{path} {element.tag}", lxml.html.fromstring(html)))
    return found


def _inline_code(out: Path) -> set[str]:
    """The text of every <script> and <style> element: only the templates' own may exist."""
    return {
        (element.text or "")
        for _where, tree in _fragments(out)
        for element in tree.iter("script", "style")
    }


@pytest.fixture(scope="module")
def baseline_code(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    root = tmp_path_factory.mktemp("benign")
    result = publish_cli(_site(root, hostile=False), root / "out")
    assert result.exit_code == 0, result.output
    return _inline_code(root / "out")


def test_no_hostile_markup_reaches_any_output(tmp_path: Path, baseline_code: set[str]) -> None:
    out = tmp_path / "out"
    result = publish_cli(_site(tmp_path, hostile=True), out)
    assert result.exit_code == 0, result.output
    assert_feeds_well_formed(out)
    fragments = _fragments(out)
    assert len([w for w, _ in fragments if "item" in w or "xml" in w]) >= 12
    assert _inline_code(out) <= baseline_code
    for where, tree in fragments:
        in_body = tree.find(".//body") if tree.tag == "html" else tree
        assert in_body is not None
        for element in in_body.iter():
            if not isinstance(element.tag, str):
                continue  # comments are stripped by the sanitizer; none is dangerous anyway
            assert element.tag not in BANNED_ELEMENTS, (where, element.tag)
            if element.tag in ("script", "style"):
                continue  # compared with the templates' own above
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (where, element.tag, name)
                assert name.lower() != "style", (where, element.tag)
                if name.lower() in URL_ATTRIBUTES:
                    for candidate in value.split(","):
                        url = "".join(candidate.split()[:1]).lower()
                        assert url.startswith(("https://", "http://", "mailto:", "#")), (
                            where, element.tag, name, value,
                        )
        # Nothing that a browser would decode into a javascript: URL either.
        for element in tree.iter():
            for value in getattr(element, "attrib", {}).values():
                squeezed = "".join(value.split()).lower()
                assert "javascript:" not in squeezed and "vbscript:" not in squeezed, where


def test_harmless_markup_survives(tmp_path: Path) -> None:
    body = (
        '<figure><img src="/img/a.png" alt="A"><figcaption>Cap</figcaption></figure>'
        '<p><a href="https://ok.example/">ok</a> <a href="mailto:desk@example.org">mail</a></p>'
    )
    content = write_site(
        tmp_path,
        {"x.yaml": "title: t\npublished: 2025-06-01\nformat: html\nbody: " + json.dumps(body)},
    )
    out = tmp_path / "out"
    assert publish_cli(content, out).exit_code == 0
    html = json.loads((out / "feed.json").read_bytes())["items"][0]["content_html"]
    assert '<img src="https://news.example.org/img/a.png" alt="A">' in html
    assert '<a href="https://ok.example/">ok</a>' in html
    assert '<a href="mailto:desk@example.org">mail</a>' in html
    assert "<figcaption>Cap</figcaption>" in html
