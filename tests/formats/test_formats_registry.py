"""The format registry: built-ins come through the ``evidens.formats`` entry-point group, each
passes the plugin conformance check on its own samples, and a third-party plugin installed as
a real distribution is picked up for detection and reading.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from evidens.core import Record
from evidens.formats import FormatPlugin, ParseWarning, check_plugin, formats, read_records
from evidens.formats.registry import BUILTINS, ENTRY_POINT_GROUP

SAMPLE_DIRS = {
    "ris": ["ris"],
    "medline": ["medline_nbib"],
    "ovid_tagged": ["ovid_tagged"],
    "pubmed_xml": ["pubmed_xml"],
    "endnote_xml": ["endnote_xml"],
    "ictrp_xml": ["ictrp_xml"],
    "wos_plaintext": ["wos_plaintext"],
    "wos_tabdelimited": ["wos_tabdelimited"],
    "pubmed_csv": ["pubmed_csv"],
    "scopus_csv": ["scopus_csv"],
    "vendor_csv": ["vendor_csv"],
    "ctgov_csv": ["ctgov_download/*.csv", "ctgov_download/*.tsv"],
    "ctgov_json": ["ctgov_download/*.json"],
    "bibtex": ["bibtex"],
}


def test_builtins_are_registered_through_the_entry_point_group() -> None:
    names = {entry.name for entry in entry_points(group=ENTRY_POINT_GROUP)}
    assert set(BUILTINS) <= names
    assert set(formats()) >= set(BUILTINS)


@pytest.mark.parametrize("format_id", sorted(SAMPLE_DIRS))
def test_builtin_format_passes_the_conformance_check(shared_dir: Path, format_id: str) -> None:
    exports = shared_dir / "data" / "exports"
    paths = []
    for pattern in SAMPLE_DIRS[format_id]:
        paths += sorted(exports.glob(pattern if "*" in pattern else f"{pattern}/*"))
    samples = [p.read_bytes() for p in paths if p.stat().st_size < 800_000]
    assert samples
    assert check_plugin(formats()[format_id], samples) == []


def _broken_read(text: str, name: str) -> tuple[list[Record], list[ParseWarning]]:
    return [Record(title=text[:10])], []


def test_conformance_check_reports_a_broken_plugin() -> None:
    broken = FormatPlugin("broken-id", "Broken", sniff=lambda text: 0, read=_broken_read)
    problems = check_plugin(broken, [b"hello world\n"])
    assert any("must be a Python identifier" in p for p in problems)
    assert any("does not recognise" in p for p in problems)


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A real (tiny) distribution on sys.path declaring an evidens.formats entry point."""
    (tmp_path / "evidens_tsvdemo.py").write_text(
        textwrap.dedent(
            """
            from evidens.core import Record
            from evidens.formats import FormatPlugin

            def sniff(text):
                return 99 if text.startswith("DEMO\\t") else 0

            def read(text, name):
                lines = text.splitlines()[1:]
                return [Record(title=t, raw=(("title", t),), source_line=i)
                        for i, t in enumerate(lines, 2)], []

            PLUGIN = FormatPlugin("demo_tsv", "Demo TSV", sniff, read)
            """
        )
    )
    dist = tmp_path / "evidens_tsvdemo-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: evidens-tsvdemo\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\ndemo_tsv = evidens_tsvdemo:PLUGIN\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    formats.cache_clear()
    yield
    formats.cache_clear()


@pytest.mark.usefixtures("installed_plugin")
def test_a_plugin_distribution_adds_a_format() -> None:
    result = read_records(b"DEMO\tx\nfirst\nsecond\n", name="demo.txt")
    assert result.format == "demo_tsv"
    assert [r.title for r in result.records] == ["first", "second"]
    assert check_plugin(formats()["demo_tsv"], [b"DEMO\tx\nfirst\n"]) == []


def test_import_report_counts_missing_fields(shared_dir: Path) -> None:
    # This PubMed CSV has no abstract column, and its PMCID cell is filled on 3 of its 6
    # rows, its DOI cell on all 6 (counted with Python's csv module).
    path = shared_dir / "data/exports/pubmed_csv/pubmed_csv_colrev_chatbot.csv"
    report = read_records(path.read_bytes(), name=path.name).report()
    assert (report.format, report.records) == ("pubmed_csv", 6)
    assert report.missing_abstract == 6
    assert (report.missing_title, report.missing_doi, report.missing_year) == (0, 0, 0)
    rates = dict(report.fill_rates)
    assert rates["title"] == 1.0
    assert rates["abstract"] == 0.0
    assert rates["pmcid"] == 0.5


def test_cli_inspect_prints_the_report_as_json(shared_dir: Path) -> None:
    from evidens.cli import formats_cmd

    app = typer.Typer()
    formats_cmd.register(app)
    path = shared_dir / "data/exports/ris/cochrane_library_endnote_cff.ris"
    result = CliRunner().invoke(app, ["formats", "inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["format"] == "ris"
    assert report["records"] == 3
    assert report["fields"]["title"] == 1.0
    # The Cochrane preamble is three lines before each of the three records.
    assert len(report["warnings"]) == 9
    assert report["warnings"][0]["line"] == 1
    plain = CliRunner().invoke(app, ["formats", "inspect", str(path)])
    assert plain.exit_code == 0
    assert "3 records" in plain.output
