"""Every output comes from the store: `evidens outputs` on the store `evidens run` built
writes the same bytes, and what is changed in the store (an analysis, a GRADE judgment)
shows in the next outputs with no file edited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidens.errors import ConfigError, ValidationError
from evidens.services.folders.run import run_review
from evidens.services.reporting.review_outputs import write_outputs
from evidens.services.store import ReviewStore, open_review, transaction
from evidens.services.synthesis import analyses, grade_profiles

RISS = Path(__file__).resolve().parents[2] / "examples" / "riss"


@pytest.fixture(scope="module")
def riss_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("riss-run")
    run_review(RISS, out)
    return out


@pytest.fixture
def riss_store(riss_run: Path, tmp_path: Path) -> ReviewStore:
    """A copy of the run's store, to change without touching the module's run."""
    copy = tmp_path / "review.db"
    copy.write_bytes((riss_run / "review.db").read_bytes())
    return open_review(copy)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "review.db"}


def test_outputs_from_the_store_equal_what_run_wrote(
    riss_run: Path, riss_store: ReviewStore, tmp_path: Path
) -> None:
    out = tmp_path / "outputs"
    with riss_store as store:
        write_outputs(store, out)
    ran, written = _files(riss_run), _files(out)
    assert set(written) == set(ran)
    assert {"sof.json", "analyses.json", "rob.json", "report.html", "characteristics.csv"} <= set(
        written
    )
    different = [name for name in ran if ran[name] != written[name]]
    assert different == []


def test_a_judgment_changed_in_the_store_changes_the_summary_of_findings(
    riss_run: Path, riss_store: ReviewStore, tmp_path: Path
) -> None:
    with riss_store as store:
        with transaction(store, "M.V.") as uow:
            before = grade_profiles.grade_in(uow)
            assert before is not None
            outcome = before.assessments[0].evidence.outcome
            grade_profiles.set_judgment(
                uow, outcome, "publication_bias", "undetected", "a registry search found none"
            )
        write_outputs(store, tmp_path)
        with transaction(store, "M.V.") as uow:
            after = grade_profiles.grade_in(uow)
            doc = grade_profiles.profile_doc(uow)
    assert after is not None
    assert doc is not None
    assert after.assessments[0].levels_down == before.assessments[0].levels_down - 1
    old = json.loads((riss_run / "sof.json").read_text(encoding="utf-8"))["outcomes"][0]
    new = json.loads((tmp_path / "sof.json").read_text(encoding="utf-8"))["outcomes"][0]
    assert new["outcome"] == old["outcome"] == outcome
    assert new["certainty"] != old["certainty"]
    assert "studies" not in doc["outcomes"][0]  # the store keeps judgments, never numbers


def test_grade_numbers_are_derived_from_the_stored_analysis(riss_store: ReviewStore) -> None:
    with riss_store as store, transaction(store, "test") as uow:
        graded = grade_profiles.grade_in(uow)
        fitted = analyses.fitted_in(uow)
    assert graded is not None
    evidence = graded.assessments[0].evidence
    data = fitted["electroclinical-resolution-rr"][1]
    arms = data["studies"][0]["arms"]
    assert evidence.studies == data["k"] == 1
    assert evidence.intervention.total == int(arms["total1"])
    assert evidence.intervention.events == int(arms["events1"])


def test_analyses_are_defined_checked_and_removed_in_the_store(riss_store: ReviewStore) -> None:
    with riss_store as store:
        with pytest.raises(ConfigError, match="mesure"), transaction(store, "M.V.") as uow:
            analyses.add_analysis(uow, {"name": "x", "outcome": "spasm_free", "mesure": "RR"})
        spec = {"name": "spasm-free-rr", "outcome": "spasm_free", "measure": "OR"}
        with pytest.raises(ValidationError, match="exists already"), transaction(store, "M") as uow:
            analyses.add_analysis(uow, spec)
        with transaction(store, "M.V.") as uow:
            analyses.add_analysis(
                uow, {"name": "spasm-free-or", "outcome": "spasm_free", "measure": "OR"}
            )
        with transaction(store, "M.V.") as uow:
            fitted = analyses.fitted_in(uow)
            analyses.remove_analysis(uow, "spasm-free-or")
        with transaction(store, "M.V.") as uow:
            names = analyses.analysis_names(uow)
    assert fitted["spasm-free-or"][1]["measure"] == "OR"
    assert "spasm-free-or" not in names
    assert "spasm-free-rr" in names


def test_a_number_typed_beside_its_analysis_is_refused_when_kept(
    riss_store: ReviewStore,
) -> None:
    with riss_store as store, transaction(store, "M.V.") as uow:
        doc = grade_profiles.profile_doc(uow)
        assert doc is not None
        doc["outcomes"][0]["studies"] = 2
        with pytest.raises(ConfigError, match="come from analysis"):
            grade_profiles.set_profile(uow, doc)


def test_a_store_written_as_a_folder_runs_to_the_same_outputs(
    riss_store: ReviewStore, tmp_path: Path
) -> None:
    """store -> `evidens folder` -> `evidens run` gives byte-identical outputs, after the
    later steps were changed in the store (an analysis added, a judgment changed)."""
    from evidens.services.folders.review_folder import review_folder, write_folder

    with riss_store as store:
        with transaction(store, "M.V.") as uow:
            analyses.add_analysis(
                uow, {"name": "spasm-free-or", "outcome": "spasm_free", "measure": "OR"}
            )
            grade_profiles.set_judgment(
                uow, "Spasm free", "inconsistency", "not serious", "one trial: not assessable"
            )
        write_outputs(store, tmp_path / "from-store")
        with transaction(store, "M.V.") as uow:
            files = review_folder(uow)
    assert {"extraction/form.toml", "extraction/consensus.toml", "grade/judgments.toml"} <= set(
        files
    )
    assert any(name.startswith("rob/") for name in files)
    write_folder(files, tmp_path / "folder")
    run_review(tmp_path / "folder", tmp_path / "rebuilt")
    written, ran = _files(tmp_path / "from-store"), _files(tmp_path / "rebuilt")
    assert "forest-spasm-free-or.svg" in written
    assert sorted(written) == sorted(ran)
    assert [name for name in written if written[name] != ran[name]] == []


def test_judgments_that_accept_the_suggestion_are_kept_and_derived(
    riss_store: ReviewStore,
) -> None:
    """`rating = "accept"` takes the suggestion the review's own numbers make, so a
    judgments file using it can be kept in the store; a named analysis that does not exist
    is refused when kept, not later."""
    with riss_store as store, transaction(store, "M.V.") as uow:
        doc = grade_profiles.profile_doc(uow)
        assert doc is not None
        doc["all_outcomes"]["risk_of_bias"] = {"rating": "accept"}
        grade_profiles.set_profile(uow, doc)
        graded = grade_profiles.grade_in(uow)
        assert graded is not None
        judged = graded.assessments[0].judgments[0]
        assert judged.suggestion is not None
        assert judged.rating == judged.suggestion.rating
        doc["outcomes"][0]["analysis"] = "no-such-analysis"
        with pytest.raises(ConfigError, match="no-such-analysis"):
            grade_profiles.set_profile(uow, doc)
