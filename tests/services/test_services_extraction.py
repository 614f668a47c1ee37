"""Extraction kept in the review store: a folder stored and read back, written out as a
folder again, and settled the same way; every value type and derivation survives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from evidens.core import ArmData, Outcome, OutcomeKind
from evidens.errors import ConfigError, ValidationError
from evidens.extraction import (
    Derived,
    Extraction,
    OutcomeData,
    characteristics_csv,
    load_review_extraction,
    outcomes_csv,
    parse_consensus,
    parse_form,
    settle,
)
from evidens.services.assessment.extraction import (
    consensus_in,
    extraction_in,
    plans_in,
    store_extraction,
    store_extraction_files,
)
from evidens.services.assessment.extraction_files import extraction_folder
from evidens.services.store import ReviewStore, create_review, transaction
from evidens.store.models import ArmDataRow, ExtractionValueRow

RISS = Path(__file__).resolve().parents[2] / "examples" / "riss" / "extraction"


def riss_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(RISS.iterdir()) if p.is_file()}


def stored(tmp_path: Path, name: str, files: dict[str, bytes]) -> ReviewStore:
    store = create_review(str(tmp_path / f"{name}.db"), title="RISS")
    with transaction(store, "evidens run") as uow:
        store_extraction_files(uow, files)
    return store


def test_a_folder_read_back_from_the_store_settles_the_same(tmp_path: Path) -> None:
    files = riss_files()
    loaded = load_review_extraction(files)
    store = stored(tmp_path, "riss", files)
    with transaction(store, "reader") as uow:
        back = extraction_in(uow)
        plans = plans_in(uow)
        agreed = consensus_in(uow)
    assert back == loaded
    assert plans == parse_consensus(files["consensus.toml"].decode("utf-8"))
    assert agreed == loaded.consensus
    assert [c.value("characteristics.sample_size") for c in agreed] == [91]


def test_the_folder_written_from_the_store_loads_to_the_same_extraction(
    tmp_path: Path,
) -> None:
    store = stored(tmp_path, "riss", riss_files())
    with transaction(store, "writer") as uow:
        folder = extraction_folder(uow)
        from_store = extraction_in(uow)
        plans = plans_in(uow)
    assert from_store is not None
    assert sorted(folder) == [
        "01-sharma-2021-mv.xlsx",
        "02-sharma-2021-rc.xlsx",
        "consensus.toml",
        "form.toml",
    ]
    again = load_review_extraction(folder)
    assert again.extractions == from_store.extractions
    assert parse_consensus(folder["consensus.toml"].decode("utf-8")) == plans
    assert again.consensus == from_store.consensus
    assert characteristics_csv(again.consensus) == characteristics_csv(from_store.consensus)
    assert outcomes_csv(again.consensus) == outcomes_csv(from_store.consensus)
    assert folder["form.toml"] == (RISS / "form.toml").read_bytes()  # kept as written


def test_store_folder_store_folder_is_byte_identical(tmp_path: Path) -> None:
    first = stored(tmp_path, "first", riss_files())
    with transaction(first, "writer") as uow:
        folder = extraction_folder(uow)
    second = stored(tmp_path, "second", folder)
    with transaction(second, "writer") as uow:
        assert extraction_folder(uow) == folder


def test_the_consensus_rows_hold_the_agreed_values_apart_from_the_extractors(
    tmp_path: Path,
) -> None:
    store = stored(tmp_path, "riss", riss_files())
    with transaction(store, "reader") as uow:
        sample = uow.session.scalars(
            select(ExtractionValueRow).where(
                ExtractionValueRow.field == "characteristics.sample_size"
            )
        ).all()
        arm_rows = uow.session.scalar(
            select(func.count()).where(ArmDataRow.extractor == "consensus")
        )
    by_extractor = {row.extractor: row.value["value"] for row in sample}
    assert by_extractor == {"MV": 91, "RC": 90, "consensus": 91}
    assert [r.decided_by for r in sample if r.extractor == "consensus"] == [
        "MV and RC, by discussion"
    ]
    assert arm_rows == 8  # four outcomes, two arms each


def test_storing_again_replaces_rather_than_adds(tmp_path: Path) -> None:
    store = stored(tmp_path, "riss", riss_files())
    with transaction(store, "evidens run") as uow:
        store_extraction_files(uow, riss_files())
    with transaction(store, "reader") as uow:
        review = extraction_in(uow)
        rows = uow.session.scalar(select(func.count()).select_from(ExtractionValueRow))
    assert review is not None
    assert len(review.extractions) == 2
    assert rows == 3 * (8 + 4)  # MV, RC and consensus: 8 answers and 4 outcomes each


def test_without_plans_the_consensus_decisions_stand_in(tmp_path: Path) -> None:
    loaded = load_review_extraction(riss_files())
    store = create_review(str(tmp_path / "review.db"), title="RISS")
    with transaction(store, "evidens run") as uow:
        store_extraction(uow, loaded)
    with transaction(store, "reader") as uow:
        assert consensus_in(uow) == loaded.consensus
        [plan] = plans_in(uow).values()
    assert {r.key: r.value for r in plan.resolutions} == {
        "characteristics.sample_size": 91,
        "outcomes.spasm_free.experimental.events": 11,
    }


FORM = """
[form]
name = "Typed"
version = "2"

[[sections]]
id = "trial"

[[sections.fields]]
id = "started"
type = "date"

[[sections.fields]]
id = "settings"
type = "multi_choice"
choices = ["clinic", "home", "ward"]

[[sections.fields]]
id = "age"
type = "number"
unit = "months"

[[sections.fields]]
id = "blinded"
type = "yes_no_unclear"

[[outcomes]]
id = "pain"
name = "Pain"
kind = "continuous"
timepoint = "6 weeks"
"""


def typed(extractor: str, sd: float) -> Extraction:
    derived = Derived(
        "SD", sd, "from SE", "SD = SE * sqrt(n)", (("se", 0.5), ("n", 36.0)), "Cochrane 6.5.2.2"
    )
    pain = OutcomeData(
        "pain",
        Outcome("Pain", OutcomeKind.CONTINUOUS, "6 weeks"),
        ArmData("experimental", mean=2.5, sd=sd, n=36),
        ArmData("comparator", mean=3.1, sd=2.9, n=35),
        unit="points",
    )
    values = (
        ("trial.started", dt.date(2019, 3, 1)),
        ("trial.settings", ("home", "clinic")),
        ("trial.age", 7.5),
        ("trial.blinded", "unclear"),
    )
    return Extraction("Ito 2020", extractor, values, (pain,), (derived,))


def test_every_value_type_and_derivation_survives_the_store(tmp_path: Path) -> None:
    form = parse_form(FORM)
    review = settle(form, (typed("AB", 3.0), typed("CD", 3.0)), {})
    store = create_review(str(tmp_path / "review.db"), title="Typed")
    with transaction(store, "evidens run") as uow:
        store_extraction(uow, review, form_text=FORM)
    with transaction(store, "reader") as uow:
        back = extraction_in(uow)
        folder = extraction_folder(uow)
    assert back == review
    assert back.consensus[0].decided_by == "agreement of AB and CD"
    assert load_review_extraction(folder) == review
    assert "consensus.toml" not in folder  # no plan: nothing to settle


def test_a_parsed_form_without_its_text_is_kept_whole(tmp_path: Path) -> None:
    form = parse_form(FORM)
    review = settle(form, (typed("AB", 3.0), typed("CD", 3.0)), {})
    store = create_review(str(tmp_path / "review.db"), title="Typed")
    with transaction(store, "evidens run") as uow:
        store_extraction(uow, review)
    with transaction(store, "reader") as uow:
        folder = extraction_folder(uow)
    assert parse_form(folder["form.toml"].decode("utf-8")) == form


def test_form_text_that_is_not_the_form_is_refused(tmp_path: Path) -> None:
    review = settle(parse_form(FORM), (typed("AB", 3.0),), {})
    store = create_review(str(tmp_path / "review.db"), title="Typed")
    other = FORM.replace('version = "2"', 'version = "3"')
    with pytest.raises(ValidationError, match="not the form"), transaction(store, "run") as uow:
        store_extraction(uow, review, form_text=other)
    with transaction(store, "reader") as uow:
        assert extraction_in(uow) is None  # nothing half-written


def test_nothing_extracted_is_none_and_an_empty_folder(tmp_path: Path) -> None:
    store = create_review(str(tmp_path / "review.db"), title="Empty")
    with transaction(store, "reader") as uow:
        assert extraction_in(uow) is None
        assert consensus_in(uow) == ()
        assert extraction_folder(uow) == {}


def test_a_consensus_entry_for_a_study_nobody_extracted_is_refused(tmp_path: Path) -> None:
    files = riss_files()
    files["consensus.toml"] += b'\n[[study]]\nstudy = "Sharma 2012"\ndecided_by = "MV"\n'
    store = create_review(str(tmp_path / "review.db"), title="RISS")
    with (
        pytest.raises(ConfigError, match="consensus entry for 'Sharma 2012', which is no study"),
        transaction(store, "evidens run") as uow,
    ):
        store_extraction_files(uow, files)
    with transaction(store, "reader") as uow:
        assert extraction_in(uow) is None
