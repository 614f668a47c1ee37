"""The generated reference documents every command path, every review-folder key and column,
and every import format; and the hand-written pages mention every command path too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from evidens.formats.registry import formats
from evidens.services.folders import review_schema as schema

from .examples import DOCS
from .scripts import load

reference = load("docs_reference")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("docs")
    written = reference.write_reference(folder)
    return {path.name: path.read_text(encoding="utf-8") for path in written}


def _dotted(table: schema.Table, prefix: str = "") -> Iterator[str]:
    for key in table.keys:
        yield f"{prefix}{key.name}"
        if key.table is not None:
            yield from _dotted(key.table, f"{prefix}{key.name}.")


def test_every_command_path_has_a_section_in_the_cli_reference(pages: dict[str, str]) -> None:
    paths = reference.runnable_paths()
    assert len(paths) > 30
    assert {"init", "search add", "extract settle", "rob agree", "folder"} <= set(paths)
    headings = {
        line.lstrip("#").strip() for line in pages["cli.md"].splitlines() if line[:1] == "#"
    }
    missing = [p for p in paths if f"evidens {p}" not in headings]
    assert missing == []


def test_every_option_of_a_command_is_in_its_reference(pages: dict[str, str]) -> None:
    section = pages["cli.md"].split("## evidens import\n", 1)[1].split("\n## ", 1)[0]
    for option in ("`--search`", "`--search-date`", "`--source`", "`--as`", "`FILES` …"):
        assert option in section
    assert "database \\| register \\| other" in section  # an enum's choices, not its class


def test_every_review_folder_key_and_column_is_documented(pages: dict[str, str]) -> None:
    page = pages["review-folder.md"]
    for file_name, table in schema.TOML_FILES.items():
        assert f"## {file_name}" in page
        keys = list(_dotted(table))
        assert len(keys) > 3
        missing = [k for k in keys if f"| `{k}` |" not in page]
        assert missing == [], f"{file_name}: {missing}"
    for file_name, (required, optional) in schema.CSV_FILES.items():
        row = next(line for line in page.splitlines() if line.startswith(f"| `{file_name}` |"))
        assert all(f"`{column}`" in row for column in (*required, *optional))


def test_choices_and_required_flags_are_shown(pages: dict[str, str]) -> None:
    page = pages["review-folder.md"]
    assert "| `review.title` | text | yes |" in page
    assert "`primary`, `secondary`" in page  # outcomes.role
    assert "| `prisma.reported.reports_excluded.<your name>` |" in page
    assert "| `study.<other>` | any |" in page


def test_every_import_format_is_listed(pages: dict[str, str]) -> None:
    for format_id, plugin in formats().items():
        assert f"| `{format_id}` | {plugin.label} |" in pages["formats.md"]


def test_the_hand_written_pages_mention_every_command_path() -> None:
    """Reading the guides, and not only the generated reference, a person meets every
    command: a new command must be placed in a guide too."""
    written = "\n".join(
        p.read_text(encoding="utf-8")
        for p in DOCS.rglob("*.md")
        if p.parent.name != "reference" or p.name == "methods.md"
    )
    missing = [p for p in reference.runnable_paths() if f"evidens {p}" not in written]
    assert missing == []
