"""The report `evidens run` writes, checked against each example's own recorded data: the
lists of reports not retrieved and full texts excluded agree with the flow diagram's boxes
and the folder's logs, the search table with the search log and the imports, the synthesis
methods with the analyses as they ran; import warnings reach the report, escaped."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from docx import Document

from evidens.services.folders.run import run_review

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
pytestmark = pytest.mark.slow  # each module fixture rebuilds a whole review (5-30 s)


def _rows(html: str, key: str) -> list[list[str]]:
    """The body rows of the report table ``key`` as cell texts."""
    table = lxml.html.fromstring(html).get_element_by_id(key)
    return [[td.text_content() for td in tr.findall("td")] for tr in table.find("tbody")]


def _docx_table(docx: bytes, caption: str) -> list[list[str]]:
    """The rows of the DOCX table whose caption paragraph starts with ``caption``."""
    doc = Document(io.BytesIO(docx))
    body = doc.element.body
    tables = {t._tbl: t for t in doc.tables}
    found = False
    for element in body.iterchildren():
        if element.tag.endswith("}p") and "".join(element.itertext()).find(caption) >= 0:
            found = True
        elif found and element in tables:
            return [[c.text for c in r.cells] for r in tables[element].rows]
    raise AssertionError(f"no table captioned {caption!r}")


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def dinosaurs(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> tuple[Path, Path]:
    """(the folder, the run's output) of examples/dinosaur-records, its exports and keys
    pointed at ../shared wherever that is."""
    folder = tmp_path_factory.mktemp("dinos") / "dinosaur-records"
    shutil.copytree(EXAMPLES / "dinosaur-records", folder)
    for path in [folder / "searches.toml", *folder.rglob("*.csv")]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("../../../shared", shared_dir.as_posix()), encoding="utf-8")
    out = folder.parent / "out"
    run_review(folder, out)
    return folder, out


def test_excluded_full_texts_are_the_flow_diagrams_box_one_by_one(
    dinosaurs: tuple[Path, Path],
) -> None:
    folder, out = dinosaurs
    prisma = _json(out / "prisma.json")
    assert prisma["basis"]["reports_excluded"] == "derived"
    html = (out / "report.html").read_text(encoding="utf-8")
    rows = _rows(html, "excluded")
    assert prisma["reports_excluded"]["total"] > 0
    assert len(rows) == prisma["reports_excluded"]["total"]
    assert Counter(r[1] for r in rows) == Counter(prisma["reports_excluded"]["reasons"])
    # each one is a full text the reviewers excluded at full text, with a reason they gave
    logged = {
        row["reason"] for row in _csv(folder / "screening" / "full_text.csv") if row["reason"]
    }
    assert {r[1] for r in rows} <= logged
    assert all(r[2].startswith(("agreed (", "resolved (")) for r in rows)
    assert all("doi:" in r[0] or "PMID:" in r[0] for r in rows)  # findable
    docx = _docx_table((out / "report.docx").read_bytes(), "Full-text reports excluded")
    assert [r[:2] for r in docx[1:]] == [r[:2] for r in rows]


def test_reports_not_retrieved_carry_the_reason_recorded_for_them(
    dinosaurs: tuple[Path, Path],
) -> None:
    folder, out = dinosaurs
    prisma = _json(out / "prisma.json")
    html = (out / "report.html").read_text(encoding="utf-8")
    rows = _rows(html, "not-retrieved")
    assert prisma["reports_not_retrieved"] > 0
    assert len(rows) == prisma["reports_not_retrieved"]
    retrieval = _csv(folder / "fulltext" / "retrieval.csv")
    reasons = sorted(r["reason"] for r in retrieval if r["retrieved"] == "no")
    assert sorted(r[1] for r in rows) == reasons
    docx = _docx_table((out / "report.docx").read_bytes(), "Reports sought for retrieval")
    assert [r[1] for r in docx[1:]] == [r[1] for r in rows]


def test_search_table_holds_the_log_and_the_records_each_search_gave(
    dinosaurs: tuple[Path, Path],
) -> None:
    folder, out = dinosaurs
    logged = tomllib.loads((folder / "searches.toml").read_text(encoding="utf-8"))["search"]
    identified = _json(out / "prisma.json")["records_identified"]
    html = (out / "report.html").read_text(encoding="utf-8")
    rows = _rows(html, "searches")
    assert len(rows) == len(logged)
    for row, search in zip(rows, logged, strict=True):
        assert row[0].startswith(search["source"])
        assert row[2] == search["date"].isoformat()
        assert row[3] == str(search["hits"]) if "hits" in search else row[3] == "not reported"
        assert row[4] == str(identified["databases"][search["source"]])
    imports = _rows(html, "imports")
    assert len(imports) == sum(len(s["files"]) for s in logged)
    assert sum(int(r[3]) for r in imports) == identified["total"]
    assert [r[1] for r in imports] == [s["source"] for s in logged for _ in s["files"]]


@pytest.fixture(scope="module")
def riss_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("riss")
    run_review(EXAMPLES / "riss", out)
    return out


def test_riss_synthesis_methods_are_the_analyses_as_they_ran(riss_out: Path) -> None:
    analyses = _json(riss_out / "analyses.json")
    html = (riss_out / "report.html").read_text(encoding="utf-8")
    rows = _rows(html, "analyses")
    assert [r[0] for r in rows] == list(analyses)
    for row, result in zip(rows, analyses.values(), strict=True):
        labels = [s["label"] for s in result["studies"]]
        assert row[4] == f"{result['k']}: " + "; ".join(labels)
        pooled = not row[3].startswith("not pooled")
        assert pooled == (result["k"] >= 2)
        assert f"preset {result['methods']['preset']}" in row[3]
        assert f"{result['methods']['level']:g}% CI" in row[3]
    tree = lxml.html.fromstring(html)
    text = tree.text_content()
    if all(a["k"] < 2 for a in analyses.values()):
        assert "no effect was pooled" in text
        assert "Heterogeneity was quantified" not in text
    for name in analyses:
        assert text.count(name) >= 2  # in the methods and the table


def test_riss_exclusions_typed_from_the_paper_are_said_not_listed(riss_out: Path) -> None:
    prisma = _json(riss_out / "prisma.json")
    assert prisma["basis"]["reports_excluded"] == "reported"
    html = (riss_out / "report.html").read_text(encoding="utf-8")
    tree = lxml.html.fromstring(html)
    assert tree.find(".//table[@id='excluded']") is None
    total = prisma["reports_excluded"]["total"]
    assert f"The {total} full-text exclusions are counts reported from outside evidens" in html
    checklist = {r["item"]: r["location_reported"] for r in _csv(riss_out / "prisma-checklist.csv")}
    assert checklist["16b"] == ""
    assert checklist["13d"].startswith("Methods: Synthesis; Table ")
    assert checklist["20a"].startswith("Table ")


RIS_WITH_JUNK = """<b>exported by</b> a vendor's banner
TY  - JOUR
TI  - A <i>trial</i> of diet & drugs
AU  - Rivera, Ana
PY  - 2020
DO  - 10.1000/evidens.junk.1
ER  -
"""


def test_import_warnings_reach_the_report_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "review"
    folder.mkdir()
    (folder / "review.toml").write_text('[review]\ntitle = "Warnings"\n', encoding="utf-8")
    (folder / "export.ris").write_text(RIS_WITH_JUNK, encoding="utf-8")
    (folder / "searches.toml").write_text(
        '[[search]]\nsource = "Embase"\ndate = 2024-01-02\nhits = 2\nstrategy = "diet"\n'
        'files = ["export.ris"]\n',
        encoding="utf-8",
    )
    run_review(folder, tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    (row,) = _rows(html, "imports")
    assert row[:4] == ["export.ris", "Embase", "ris", "1"]
    assert row[4] == "line 1: line outside a record skipped: <b>exported by</b> a vendor's banner"
    assert "<b>exported" not in html  # escaped, not markup
    (search,) = _rows(html, "searches")
    assert search[3:] == ["2", "1"]  # 2 hits logged, 1 record read: the gap is visible
    assert "with 1 import warning(s)" in html
