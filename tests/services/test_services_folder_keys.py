"""A review folder names records by keys that do not depend on order: moving a [[search]]
block leaves every decision on the record it was made on (it used to re-attach `id:N`
decisions to other records), and a key naming no record, several, or a row number is an
error naming the file and line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from evidens.core import Record
from evidens.core.keys import fingerprint
from evidens.errors import ConfigError
from evidens.services.folders.run import run_review
from evidens.services.reporting.exports import export_records
from evidens.services.store import open_review

REVIEW = """[review]
slug = "keys"
title = "Keys"
question = "Do decisions stay on their records?"

[team]
members = [
  { name = "alice", role = "owner", permissions = ["resolver"] },
  { name = "bruno", role = "reviewer" },
]

[screening]
reviewers_required = { title_abstract = 2, full_text = 2 }
"""
SEARCH = """[[search]]
source = "{source}"
kind = "database"
date = 2024-04-03
strategy = "spasms"
files = ["{file}"]
"""
A = (
    "TY  - JOUR\nTI  - Ketogenic diet in infantile spasms\nAU  - Rivera, Ana\nPY  - 2020\n"
    "DO  - 10.1000/keys.1\nER  - \n"
    "TY  - JOUR\nTI  - Vigabatrin for spasms\nAU  - Osei, Kwame\nPY  - 2019\nER  - \n"
)
B = "TY  - JOUR\nTI  - Surgery for spasms\nAU  - Tanaka, Yui\nPY  - 2021\nER  - \n"
VIGABATRIN = Record(title="Vigabatrin for spasms", year=2019, authors=("Osei, Kwame",))


def _folder(root: Path, order: tuple[str, str], log: str) -> Path:
    root.mkdir()
    (root / "review.toml").write_text(REVIEW, encoding="utf-8")
    (root / "a.ris").write_text(A, encoding="utf-8")
    (root / "b.ris").write_text(B, encoding="utf-8")
    sources = {"a.ris": "PubMed", "b.ris": "Embase"}
    searches = "\n".join(SEARCH.format(source=sources[f], file=f) for f in order)
    (root / "searches.toml").write_text(searches, encoding="utf-8")
    (root / "screening").mkdir()
    (root / "screening" / "title_abstract.csv").write_text(log, encoding="utf-8")
    return root


def _log() -> str:
    lines = ["record,reviewer,decision,reason,note"]
    for key, alice, bruno in (
        ("doi:10.1000/KEYS.1", "include", "include"),
        (f"fp:{fingerprint(VIGABATRIN)}", "exclude", "exclude"),
        ("b.ris#1", "include", "exclude"),
    ):
        lines += [f"{key},alice,{alice},,", f"{key},bruno,{bruno},,"]
    return "\n".join(lines) + "\n"


def _decisions(out: Path) -> dict[str, tuple[str, str]]:
    store = open_review(out / "review.db")
    try:
        export_records(store, out / "records.csv")
    finally:
        store.dispose()
    with (out / "records.csv").open(encoding="utf-8", newline="") as handle:
        return {
            row["title"]: (row["title_abstract_status"], row["title_abstract_decision"])
            for row in csv.DictReader(handle)
        }


def test_moving_a_search_block_leaves_every_decision_on_its_record(tmp_path: Path) -> None:
    first = _folder(tmp_path / "ab", ("a.ris", "b.ris"), _log())
    second = _folder(tmp_path / "ba", ("b.ris", "a.ris"), _log())
    run_review(first, tmp_path / "out-ab")
    run_review(second, tmp_path / "out-ba")
    expected = {
        "Ketogenic diet in infantile spasms": ("complete-agreed", "include"),
        "Vigabatrin for spasms": ("complete-agreed", "exclude"),
        "Surgery for spasms": ("conflict", ""),
    }
    assert _decisions(tmp_path / "out-ab") == expected
    assert _decisions(tmp_path / "out-ba") == expected


def test_the_export_names_each_record_by_a_key_the_folder_reads_back(tmp_path: Path) -> None:
    run_review(_folder(tmp_path / "ab", ("a.ris", "b.ris"), _log()), tmp_path / "out")
    _decisions(tmp_path / "out")
    with (tmp_path / "out" / "records.csv").open(encoding="utf-8", newline="") as handle:
        keys = {row["title"]: row["key"] for row in csv.DictReader(handle)}
    assert keys["Ketogenic diet in infantile spasms"] == "doi:10.1000/keys.1"
    assert keys["Vigabatrin for spasms"] == f"fp:{fingerprint(VIGABATRIN)}"
    # a log written with those keys loads into a folder whose searches are in another order
    log = "record,reviewer,decision,reason,note\n" + "".join(
        f"{key},{who},exclude,,\n" for key in keys.values() for who in ("alice", "bruno")
    )
    run_review(_folder(tmp_path / "ba", ("b.ris", "a.ris"), log), tmp_path / "out-ba")
    assert {d for (d,) in [(v[1],) for v in _decisions(tmp_path / "out-ba").values()]} == {
        "exclude"
    }


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("id:1", "row number"),
        ("doi:10.1000/none", "no record matches"),
        ("pmid:", "not understood"),
    ],
)
def test_a_bad_key_is_an_error_naming_the_file_and_line(
    tmp_path: Path, key: str, message: str
) -> None:
    log = "record,reviewer,decision,reason,note\ndoi:10.1000/keys.1,alice,include,,\n"
    log += f"{key},bruno,include,,\n"
    folder = _folder(tmp_path / "bad", ("a.ris", "b.ris"), log)
    with pytest.raises(ConfigError, match=message) as raised:
        run_review(folder, tmp_path / "out")
    assert "title_abstract.csv:3" in str(raised.value)


def test_a_key_that_names_two_records_is_refused(tmp_path: Path) -> None:
    """Two articles with the same title, year and first author but their own DOIs are two
    records; their shared fingerprint names neither."""
    twin = A.split("ER  - \n", maxsplit=1)[0].replace("keys.1", "keys.2") + "ER  - \n"
    folder = _folder(tmp_path / "twins", ("a.ris", "b.ris"), "record,reviewer,decision\n")
    (folder / "b.ris").write_text(B + twin, encoding="utf-8")
    same = Record(title="Ketogenic diet in infantile spasms", year=2020, authors=("Rivera, Ana",))
    log = f"record,reviewer,decision,reason,note\nfp:{fingerprint(same)},alice,include,,\n"
    (folder / "screening" / "title_abstract.csv").write_text(log, encoding="utf-8")
    with pytest.raises(ConfigError, match="matches 2 different records"):
        run_review(folder, tmp_path / "out")
