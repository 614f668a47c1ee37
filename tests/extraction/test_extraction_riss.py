"""The RISS example: Sharma 2021 extracted by M.V. and R.C., settled in consensus.toml.

Expected values come from the seed review (Table 2 columns; Table 4 arm data at 4 weeks),
read from ../shared where available.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from evidens.core import ArmData, OutcomeKind
from evidens.extraction import (
    characteristics_csv,
    characteristics_rows,
    load_review_extraction,
    outcome_data,
    outcomes_csv,
    parse_consensus,
    settle,
)
from evidens.extraction.outputs import CHARACTERISTICS_COLUMNS

SEED = "seeds/000_bb032bccad503e03.txt"
TABLE_2_HEADER = (
    "Study\tSample size\tCountry\tStudy Design\tInclusion criteria\tStudy Treatment\t"
    "Comparator\tOutcomes"
)


@pytest.fixture(scope="module")
def folder(repo_root: Path) -> Path:
    return repo_root / "examples" / "riss" / "extraction"


@pytest.fixture(scope="module")
def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_the_two_spreadsheets_differ_in_exactly_two_fields(files: dict[str, bytes]) -> None:
    review = load_review_extraction(files)
    assert sorted(e.extractor for e in review.extractions) == ["MV", "RC"]
    [report] = review.reports
    assert report.study == "Sharma 2021"
    assert report.keys == (
        "characteristics.sample_size",
        "outcomes.spasm_free.experimental.events",
    )
    assert [d.values for d in report.discrepancies] == [
        (("MV", 91), ("RC", 90)),
        (("MV", 11), ("RC", 12)),
    ]
    assert review.pending == ()


def test_consensus_gives_the_seed_table_2_row(files: dict[str, bytes]) -> None:
    [consensus] = load_review_extraction(files).consensus
    assert consensus.decided_by == "MV and RC, by discussion"
    assert [(d.key, d.value) for d in consensus.decisions] == [
        ("characteristics.sample_size", 91),
        ("outcomes.spasm_free.experimental.events", 11),
    ]
    [row] = characteristics_rows([consensus])
    assert list(row) == TABLE_2_HEADER.split("\t")
    assert {k: row[k] for k in ("Study", "Sample size", "Country", "Study Design")} == {
        "Study": "Sharma et al. (2021)",
        "Sample size": "91",
        "Country": "India",
        "Study Design": "Randomized controlled trial",
    }
    assert (row["Study Treatment"], row["Comparator"]) == ("Modified Atkins diet", "Normal diet")
    assert "9 to 36 months" in row["Inclusion criteria"]
    assert row["Outcomes"].startswith("Primary: spasm freedom")
    assert characteristics_csv([consensus]).splitlines()[0] == TABLE_2_HEADER.replace("\t", ",")


def test_table_2_column_names_are_the_seed_s(shared_dir: Path) -> None:
    seed = (shared_dir / SEED).read_text(encoding="utf-8")
    assert TABLE_2_HEADER in seed
    assert [name for name, _ in CHARACTERISTICS_COLUMNS] == TABLE_2_HEADER.split("\t")


def _seed_arm_data(seed: str) -> dict[str, tuple[int, int, int, int]]:
    """Table 4 'events/total' pairs of the seed, by the outcome's first word."""
    found = {}
    for line in seed.splitlines():
        match = re.match(r"^(\S+).*?\t(\d+)/(\d+) \([\d.]+%\)\t(\d+)/(\d+) \(", line)
        if match:
            found[match.group(1)] = tuple(int(g) for g in match.groups()[1:])
    return found  # type: ignore[return-value]


def test_outcome_data_match_the_seed_table_4(files: dict[str, bytes], shared_dir: Path) -> None:
    seed = _seed_arm_data((shared_dir / SEED).read_text(encoding="utf-8"))
    assert len(seed) == 3
    by_outcome = outcome_data(load_review_extraction(files).consensus)
    for outcome_id, first_word in (
        ("electroclinical_resolution", "Electroclinical"),
        ("spasm_free", "Spasm"),
        ("spasm_reduction_50", "50%"),
    ):
        [study] = by_outcome[outcome_id]
        e_events, e_total, c_events, c_total = seed[first_word]
        assert study.pair == (
            ArmData("Modified Atkins diet", events=e_events, total=e_total),
            ArmData("Normal diet", events=c_events, total=c_total),
        )
        assert study.outcome.timepoint == "4 weeks"


def test_days_to_spasm_cessation_has_n_only(files: dict[str, bytes]) -> None:
    [study] = outcome_data(load_review_extraction(files).consensus)["days_to_spasm_cessation"]
    assert study.outcome.kind is OutcomeKind.CONTINUOUS
    assert study.pair == (
        ArmData("Modified Atkins diet", n=46),
        ArmData("Normal diet", n=45),
    )


def test_outcomes_csv(files: dict[str, bytes]) -> None:
    lines = outcomes_csv(load_review_extraction(files).consensus).splitlines()
    assert lines[0].startswith("study,outcome_id,outcome,kind,timepoint,unit,experimental")
    assert lines[2] == (
        "Sharma 2021,spasm_free,Spasm free,binary,4 weeks,,Modified Atkins diet,Normal diet,"
        "11,46,,,,0,45,,,,"
    )
    assert lines[4].endswith(",days,Modified Atkins diet,Normal diet,,,,,46,,,,,45,")
    assert len(lines) == 5


def test_without_consensus_the_study_stays_pending(files: dict[str, bytes]) -> None:
    unsettled = {k: v for k, v in files.items() if k != "consensus.toml"}
    review = load_review_extraction(unsettled)
    assert review.pending == ("Sharma 2021",)
    assert review.consensus == ()
    assert outcomes_csv(review.consensus).count("\n") == 1  # header only: nothing flows on
    half = parse_consensus(
        '[[study]]\nstudy = "Sharma 2021"\ndecided_by = "MV"\n'
        '[[study.resolution]]\nfield = "characteristics.sample_size"\ntake = "MV"\n'
    )
    assert settle(review.form, review.extractions, half).pending == ("Sharma 2021",)


def _load_script(folder: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("riss_make_sheets", folder / "make_sheets.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_spreadsheets_are_reproduced_by_the_script(folder: Path) -> None:
    from evidens.extraction import form_to_xlsx, parse_form

    script = _load_script(folder)
    form = parse_form((folder / "form.toml").read_text(encoding="utf-8"))
    for extraction in script.extractions():
        committed = (folder / f"{extraction.extractor.lower()}.xlsx").read_bytes()
        assert form_to_xlsx(form, extraction) == committed
