"""One loader: `archive import`, `check --original` and `audit` read an original the same way.

The same original given with `--original` or found in an archive imported from the same
file gives byte-identical alignment, scores and verdict; an HTML original's own canonical
URL is its URL; titles lose the site's name and are never a URL or a line of furniture.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from provenance.archive import Archive
from provenance.cli import cli
from provenance.load import load_documents
from provenance.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = Settings(offline=True, cache_dir=None)
# Verdicts of copies that keep enough of their original's text for the archive to find it.
_FOUND_VERDICTS = ("faithful", "trimmed", "modified")


def _cases() -> list[tuple[str, Path, Path]]:
    found = []
    for case_file in sorted((ROOT / "cases").glob("*/case.json")):
        data = json.loads(case_file.read_text(encoding="utf-8"))
        if (
            data.get("original")
            and not data.get("requires_shared")  # the same cases with or without ../shared
            and data["expected"]["verdict"] in _FOUND_VERDICTS
        ):
            folder = case_file.parent
            found.append((folder.name, folder / data["copy"], folder / data["original"]))
    return found


CASES = _cases()


def _checks(*args: str) -> list[dict[str, Any]]:
    """The reports of `check` (one per post of the copy)."""
    result = CliRunner().invoke(cli, ["check", *args, "--offline", "--format", "json"])
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)
    return reports if isinstance(reports, list) else [reports]


def _check(*args: str) -> dict[str, Any]:
    [report] = _checks(*args)
    return report


def _same(report: dict[str, Any]) -> str:
    return json.dumps({k: report[k] for k in ("alignment", "scores", "verdict")}, sort_keys=True)


@pytest.mark.parametrize(("slug", "copy", "original"), CASES, ids=[c[0] for c in CASES])
def test_original_through_the_archive_reads_as_through_original(
    tmp_path: Path, slug: str, copy: Path, original: Path
) -> None:
    db = tmp_path / "a.sqlite"
    imported = CliRunner().invoke(
        cli, ["archive", "import", str(original), "--archive", str(db), "--offline"]
    )
    assert imported.exit_code == 0, imported.output
    givens = _checks(str(copy), "--original", str(original))
    founds = _checks(str(copy), "--archive", str(db))
    # A page of several posts: the post that copies the original.
    given, found = max(
        zip(givens, founds, strict=True), key=lambda pair: pair[0]["scores"]["coverage"]
    )
    assert found["original"]["found_by"] == "archive", f"{slug}: not found in the archive"
    assert _same(found) == _same(given), slug
    assert found["original"]["url"] == given["original"]["url"], slug
    assert found["original"]["title"] == given["original"]["title"], slug


_PARAGRAPHS = [
    "The city council approved a plan on Tuesday to widen the river path for cyclists.",
    "Work will start in the spring and last about eighteen months, officials said.",
    "Residents raised concerns about the trees along the bank at a hearing last week.",
    "The council said every tree removed would be replaced by two new ones nearby.",
]


def _page(head: str, url: str = "https://origin.example/2024/05/river-path") -> str:
    body = "".join(f"<p>{p}</p>" for p in _PARAGRAPHS)
    return (
        f'<html><head>{head}<link rel="canonical" href="{url}"></head>'
        f"<body><article>{body}</article></body></html>"
    )


def test_html_original_canonical_is_the_reported_url(tmp_path: Path) -> None:
    original = tmp_path / "saved-page.html"
    original.write_text(_page("<title>Council widens river path | Origin News</title>"))
    copy = tmp_path / "copy.txt"
    copy.write_text("\n\n".join(_PARAGRAPHS) + "\n", encoding="utf-8")
    report = _check(str(copy), "--original", str(original))
    assert report["original"]["url"] == "https://origin.example/2024/05/river-path"
    assert report["original"]["title"] == "Council widens river path"
    db = tmp_path / "a.sqlite"
    CliRunner().invoke(cli, ["archive", "import", str(original), "--archive", str(db)])
    with Archive.open(db, create=False, settings=SETTINGS) as archive:
        stored = archive.find_url("https://origin.example/2024/05/river-path")
    assert stored is not None
    assert stored.title == "Council widens river path"


def test_a_copy_keeps_its_own_address_when_its_canonical_names_another_site() -> None:
    page = _page("<title>x</title>", url="https://origin.example/story").encode()
    [copy] = load_documents(page, source="copy.html", settings=SETTINGS)
    [original] = load_documents(page, source="o.html", settings=SETTINGS, original=True)
    assert copy.url is None
    assert original.url == "https://origin.example/story"
    fetched = load_documents(
        page, source="x", settings=SETTINGS, url="https://mirror.example/a", original=True
    )
    assert fetched[0].url == "https://mirror.example/a"  # another host's claim is not taken


@pytest.mark.parametrize(
    ("head", "h1", "title"),
    [
        ('<meta property="og:title" content="River path widened">', "", "River path widened"),
        ("<title>River path widened | Reuters</title>", "", "River path widened"),
        ("<title>River path widened - Origin News</title>"
         '<meta property="og:site_name" content="Origin News">', "", "River path widened"),
        ("<title>Origin News</title>", "<h1>Council widens the river path</h1>",
         "Council widens the river path"),
        ("<title>Biden - Harris ticket gains</title>", "", "Biden - Harris ticket gains"),
        ("<title>Opinion | Why the river path matters</title>", "",
         "Opinion | Why the river path matters"),
    ],
)  # fmt: skip
def test_page_titles_come_from_og_title_or_h1_or_lose_the_site_suffix(
    head: str, h1: str, title: str
) -> None:
    body = h1 + "".join(f"<p>{p}</p>" for p in _PARAGRAPHS)
    page = f"<html><head>{head}</head><body><article>{body}</article></body></html>"
    [doc] = load_documents(page.encode(), source="p.html", settings=SETTINGS)
    assert doc.title == title


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # A stored page whose first line is the site's furniture: the slug names the title.
        ("https://flick.example/homeland-security-places-staff-on-leave\n"
         "# NOTE: an excerpt\nPhysical Address\n\n304 North Cardinal St.\n\n"
         "Homeland Security Places Staff on Leave Amid Review\n\n" + _PARAGRAPHS[0],
         "Homeland Security Places Staff on Leave Amid Review"),
        # No note lines: the URL on line 1 is still the header, never the title.
        ("https://news.example/story-about-the-river-path\nRiver path story for the city\n\n"
         + "\n\n".join(_PARAGRAPHS), "River path story for the city"),
        ("Physical Address\n\n" + "\n\n".join(_PARAGRAPHS), None),
    ],
)  # fmt: skip
def test_text_titles_are_headlines_never_urls_or_furniture(text: str, title: str | None) -> None:
    [doc] = load_documents(text.encode(), source="t.txt", settings=SETTINGS)
    assert doc.title == title
    assert all(not p.text.startswith(("https://", "# NOTE")) for p in doc.paragraphs)


def test_undeclared_cp1252_original_gives_no_false_quote_changes(tmp_path: Path) -> None:
    quoted = [
        "\u201cWe will not wait,\u201d the mayor said on Tuesday, \u201cthe path is too narrow.\u201d",
        "The council\u2019s vote was unanimous, and work starts in the spring \u2014 weather permitting.",
        "\u201cIt\u2019s about time,\u201d said a cyclist who rides the path every day to work.",
    ]
    original = tmp_path / "original.txt"
    original.write_bytes("\n\n".join(quoted).encode("cp1252"))
    copy = tmp_path / "copy.txt"
    copy.write_text("\n\n".join(quoted) + "\n", encoding="utf-8")
    report = _check(str(copy), "--original", str(original))
    assert report["verdict"] == "faithful"
    assert not [f for f in report["findings"] if f["code"] == "quote-altered"]
