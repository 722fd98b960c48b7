"""check: a relative URL that leads to no file the publish makes is a warning naming the
file, line and URL (an error under --strict); sound ones say nothing."""

from __future__ import annotations

from pathlib import Path

from tests.input_support import add_article, check_cli, write_site

SITE = (
    'title: "Test Gazette"\n'
    'base_url: "https://news.example.org/gazette/"\n'
    'description: "Broken references."\n'
    "icon: favicon.ico\n"
    "logo: images/logo.png\n"
)
BROKEN = (
    'title: "Harbour pictures"\n'  # 1
    "published: 2025-06-01\n"
    "image: images/lead.png\n"  # 3
    "categories: [Port]\n"
    "enclosures:\n"
    "  - url: audio/show.mp3\n"  # 6
    "    length: 10\n"
    "    type: audio/mpeg\n"
    "body: |\n"
    "  The pier ![at dawn](images/pier.png) from the west.\n"  # 10
    "\n"
    '  <img src="pics/crane.jpg" alt="">\n'  # 12
)
SOUND = (
    'title: "Sound links"\n'
    "published: 2025-06-02\n"
    "image: images/logo.png\n"
    "body: |\n"
    "  [The other story](../harbour-pictures/), [the feed](../../rss.xml),\n"
    "  [the port](../../categories/port/), [a file](/gazette/images/logo.png?v=2#top),\n"
    "  [elsewhere on the host](/shop/), [another site](https://example.com/x.png),\n"
    "  [mail](mailto:desk@example.org), [a heading](#notes), `[code](not-a-link.png)`\n"
    "\n"
    "  ~~~\n"
    "  ![in a code block](nope.png)\n"
    "  ~~~\n"
)


def _content(tmp_path: Path) -> tuple[Path, str]:
    content = write_site(tmp_path, {}, site=SITE)
    (content / "static" / "images").mkdir(parents=True)
    (content / "static" / "images" / "logo.png").write_bytes(b"png")
    (content / "static" / "images" / "pier.png").write_bytes(b"png")
    shown = add_article(content, "2025-06-01-harbour-pictures.yaml", BROKEN)
    add_article(content, "2025-06-02-sound.yaml", SOUND)
    return content, shown


def test_broken_references_are_warnings_naming_file_line_and_url(tmp_path: Path) -> None:
    content, shown = _content(tmp_path)
    site = (content / "site.yaml").as_posix()
    expected = [
        f"{site}:4: icon: 'favicon.ico' is no file the publish makes: put the file at"
        " static/favicon.ico or correct the path",
        f"{shown}:3: image: 'images/lead.png' is no file the publish makes: put the file at"
        " static/images/lead.png or correct the path",
        f"{shown}:6: enclosures: 'audio/show.mp3' is no file the publish makes: put the file"
        " at static/audio/show.mp3 or correct the path",
        # Written relative to the site, but a body's URLs resolve on the article's page.
        f"{shown}:10: body: 'images/pier.png' resolves under the article's folder, to"
        " articles/harbour-pictures/images/pier.png: for static/images/pier.png write"
        " /gazette/images/pier.png",
        f"{shown}:12: body: 'pics/crane.jpg' leads to articles/harbour-pictures/pics/crane.jpg,"
        " no file the publish makes: correct the path, or put the file under static/ and link"
        " it from the site's root",
    ]
    result = check_cli(content)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [line.replace(": ", ": warning: ", 1) for line in expected]
    assert result.stdout == f"Checked 2 articles in {content}: no errors, 5 warnings.\n"

    strict = check_cli(content, "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.splitlines() == [*expected, f"Checked {content}: 5 errors, no warnings."]


def test_references_to_what_the_publish_makes_say_nothing(tmp_path: Path) -> None:
    content, shown = _content(tmp_path)
    Path(shown).unlink()
    add_article(
        content,
        "2025-06-01-harbour-pictures.yaml",
        'title: "Harbour pictures"\npublished: 2025-06-01\ncategories: [Port]\nbody: |\n'
        "  ![The pier](/gazette/images/pier.png)\n",
    )
    (content / "static" / "favicon.ico").write_bytes(b"ico")
    result = check_cli(content, "--strict")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
