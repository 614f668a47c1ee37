"""``run_standalone``: CSV in, record_id,cluster_id,decision,score out."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from evidens.cli.dedup_cmd import run_standalone
from evidens.errors import EvidensError, FormatError, InputError

HEADER = "record_id,source_db,title,authors,journal,year,volume,issue,pages,doi,pmid,isbn,abstract"
ROWS = [
    (
        "r1,medline,Intestinal lipoprotein overproduction in insulin-resistant states,"
        '"Adeli, K. and Lewis, G. F.",Curr Opin Lipidol,2008,19,3,221-8,'
        "10.1097/MOL.0b013e3282ffaf82,18460911,,"
    ),
    (
        "r2,embase,Intestinal lipoprotein overproduction in insulin-resistant states.,"
        '"Adeli K.; Lewis G.F.",Current Opinion in Lipidology,2008,19,3,221-228,,,,'
    ),
    (
        "r3,embase,Glucagon-like peptide-1 and intestinal lipid absorption in hamsters,"
        "Hsieh J.,Diabetologia,2010,53,,552-561,,,,"
    ),
]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_standalone_writes_one_row_per_record(tmp_path: Path) -> None:
    source = _write(tmp_path / "records.csv", [HEADER, *ROWS])
    out = tmp_path / "clusters.csv"
    run_standalone([source], out)
    rows = _read(out)
    assert list(rows[0]) == ["record_id", "cluster_id", "decision", "score"]
    assert [r["record_id"] for r in rows] == ["r1", "r2", "r3"]
    assert rows[0]["cluster_id"] == rows[1]["cluster_id"] != rows[2]["cluster_id"]
    assert [r["decision"] for r in rows] == ["auto", "auto", "unique"]
    assert float(rows[0]["score"]) >= 0.9
    assert rows[2]["score"] == "0.000"


def test_several_files_are_deduplicated_together(tmp_path: Path) -> None:
    first = _write(tmp_path / "a.csv", [HEADER, ROWS[0]])
    second = _write(tmp_path / "b.csv", [HEADER, ROWS[1], ROWS[2]])
    out = tmp_path / "clusters.csv"
    run_standalone([first, second], out)
    rows = _read(out)
    assert rows[0]["cluster_id"] == rows[1]["cluster_id"]


def test_repeated_record_id_is_refused(tmp_path: Path) -> None:
    source = _write(tmp_path / "records.csv", [HEADER, ROWS[0], ROWS[0]])
    with pytest.raises(InputError, match=r"r1.*appears twice"):
        run_standalone([source], tmp_path / "out.csv")


def test_empty_record_id_names_the_line(tmp_path: Path) -> None:
    source = _write(tmp_path / "records.csv", [HEADER, "," + ROWS[0].split(",", 1)[1]])
    with pytest.raises(InputError) as raised:
        run_standalone([source], tmp_path / "out.csv")
    assert raised.value.location.endswith("records.csv:2:record_id")


def test_non_utf8_csv_is_refused_with_a_hint(tmp_path: Path) -> None:
    source = tmp_path / "records.csv"
    source.write_bytes((HEADER + "\nr1,,Caf\xe9 study,,,,,,,,,,\n").encode("cp1252"))
    with pytest.raises(FormatError, match="UTF-8"):
        run_standalone([source], tmp_path / "out.csv")


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such export file"):
        run_standalone([tmp_path / "missing.csv"], tmp_path / "out.csv")


def test_file_of_no_known_format_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("nothing bibliographic here\n", encoding="utf-8")
    with pytest.raises(EvidensError):
        run_standalone([source], tmp_path / "out.csv")


def test_export_files_go_through_the_format_reader(tmp_path: Path) -> None:
    ris = tmp_path / "scopus.ris"
    ris.write_text(
        "TY  - JOUR\nTI  - Intestinal lipoprotein overproduction in insulin-resistant states\n"
        "AU  - Adeli, K.\nAU  - Lewis, G.F.\nPY  - 2008\nT2  - Current Opinion in Lipidology\n"
        "VL  - 19\nIS  - 3\nSP  - 221\nEP  - 228\nDO  - 10.1097/MOL.0b013e3282ffaf82\nER  - \n\n"
        "TY  - JOUR\nTI  - Glucagon-like peptide-1 and intestinal lipid absorption in hamsters\n"
        "AU  - Hsieh, J.\nPY  - 2010\nT2  - Diabetologia\nVL  - 53\nSP  - 552\nEP  - 561\n"
        "ER  - \n",
        encoding="utf-8",
    )
    csv_file = _write(tmp_path / "medline.csv", [HEADER, ROWS[0]])
    out = tmp_path / "clusters.csv"
    run_standalone([ris, csv_file], out)
    rows = _read(out)
    assert [r["record_id"] for r in rows] == ["scopus.ris:1", "scopus.ris:2", "r1"]
    assert rows[0]["cluster_id"] == rows[2]["cluster_id"] != rows[1]["cluster_id"]
    assert [r["decision"] for r in rows] == ["auto", "unique", "auto"]
