"""A worked network meta-analysis inside a review, on synthetic data of our own making.

Three treatments for infantile spasms (ACTH, ketogenic diet, vigabatrin), four trials, one of
them three-armed: its extractors recorded two arm pairs (ACTH vs vigabatrin under
``spasm_free``, ketogenic diet vs vigabatrin under ``spasm_free_third``) sharing the
vigabatrin arm. The analysis is added with ``add_analysis``, fitted from the store's
consensus, written out, reported, and graded.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from evidens.core import ArmData, Outcome, OutcomeKind
from evidens.errors import ConfigError, ValidationError
from evidens.extraction import Consensus, Extraction, OutcomeData, parse_form, settle
from evidens.extraction.forms import default_form_text
from evidens.grade.judgments import judgments_from_mapping
from evidens.meta.nma import NetworkResult
from evidens.rob import Result
from evidens.services.assessment.extraction import consensus_in, store_extraction
from evidens.services.folders.step_files import folder_rob_results
from evidens.services.store import ReviewStore, create_review, transaction
from evidens.services.synthesis import analyses
from evidens.services.synthesis.grading import derive
from evidens.services.synthesis.network import fit_network
from evidens.services.synthesis.network_grade import study_shares
from evidens.store.synthesis_models import AnalysisRow

RISS = Path(__file__).resolve().parents[2] / "examples" / "riss"
THIRD_ARM = """
[[sections.fields]]
id = "third_arm"
label = "Third arm"
type = "text"
"""
SPASM_FREE = Outcome(name="Spasm freedom", kind=OutcomeKind.BINARY)
TRIALS: tuple[tuple[str, str, str, tuple[int, int], tuple[int, int]], ...] = (
    ("Ali 2018", "ACTH", "Vigabatrin", (20, 40), (12, 40)),
    ("Berg 2019", "Ketogenic diet", "Vigabatrin", (15, 30), (10, 30)),
    ("Chen 2020", "ACTH", "Vigabatrin", (18, 35), (9, 35)),
    ("Diaz 2021", "ACTH", "Ketogenic diet", (22, 45), (17, 45)),
)
NETWORK = {
    "name": "spasms-nma",
    "kind": "network",
    "outcome": "spasm_free",
    "measure": "OR",
    "reference": "Vigabatrin",
    "small_values": "bad",
    "arms": [
        {"outcome": "spasm_free_third", "experimental": "characteristics.third_arm"},
    ],
}


def _pair(outcome: str, exp: tuple[int, int], comp: tuple[int, int]) -> OutcomeData:
    return OutcomeData(
        id=outcome,
        outcome=SPASM_FREE,
        experimental=ArmData("experimental", events=exp[0], total=exp[1]),
        comparator=ArmData("comparator", events=comp[0], total=comp[1]),
    )


def _extraction(extractor: str, trial: tuple[Any, ...]) -> Extraction:
    study, treatment, comparator, exp, comp = trial
    values: list[tuple[str, Any]] = [
        ("characteristics.study", study),
        ("characteristics.sample_size", exp[1] + comp[1]),
        ("characteristics.treatment", treatment),
        ("characteristics.comparator", comparator),
    ]
    arms = [_pair("spasm_free", exp, comp)]
    if study == "Chen 2020":  # the three-arm trial: ketogenic diet 14/35 vs the same vigabatrin
        values.append(("characteristics.third_arm", "Ketogenic diet"))
        arms.append(_pair("spasm_free_third", (14, 35), comp))
    return Extraction(study, extractor, tuple(values), tuple(arms))


@pytest.fixture
def store(tmp_path: Path) -> ReviewStore:
    form = parse_form(default_form_text() + THIRD_ARM)
    extractions = tuple(_extraction(who, t) for t in TRIALS for who in ("MV", "RC"))
    review = create_review(str(tmp_path / "review.db"), title="Spasms network")
    with transaction(review, "evidens") as uow:
        store_extraction(uow, settle(form, extractions, {}))
        analyses.add_analysis(uow, NETWORK)
    return review


def test_the_three_arm_trial_enters_once_with_correlated_contrasts(store: ReviewStore) -> None:
    with transaction(store, "reader") as uow:
        fitted = analyses.fitted_in(uow)
    result, data = fitted["spasms-nma"]
    assert isinstance(result, NetworkResult)
    assert result.treatments == ("ACTH", "Ketogenic diet", "Vigabatrin")
    con = result.contrasts
    chen = [n for n, s in enumerate(con.study) if s == "Chen 2020"]
    assert len(chen) == 2  # two contrasts against its baseline arm, not two separate studies
    # they covary by the variance of the baseline arm (ACTH, first in treatment order)
    assert con.V[chen[0], chen[1]] == pytest.approx(1 / 18.5 + 1 / 17.5)
    assert data["k"] == 4
    assert data["participants"]["Vigabatrin"] == 105  # Chen's vigabatrin arm counted once
    assert data["pscore_direction"] == "larger values are better"
    assert max(data["pscores"], key=data["pscores"].get) == "ACTH"
    assert [row["treatment"] for row in data["versus_reference"]] == ["ACTH", "Ketogenic diet"]


def test_outputs_are_written_and_the_report_has_a_network_section(
    store: ReviewStore, tmp_path: Path
) -> None:
    from evidens.services.reporting.report import report_inputs, write_report_outputs

    out = tmp_path / "out"
    out.mkdir()
    written = {p.name for p in analyses.write_analysis_outputs(store, out)}
    for suffix in ("graph.svg", "graph.png", "forest.svg", "forest.png", "league.html"):
        assert f"network-spasms-nma-{suffix}" in written
    assert not any(name.startswith("forest-") for name in written)
    kept = json.loads((out / "analyses.json").read_text(encoding="utf-8"))["spasms-nma"]
    assert kept["kind"] == "network"
    assert set(kept["inconsistency"]) >= {"Q", "df", "p"}
    assert "ACTH" in (out / "network-spasms-nma-league.csv").read_text(encoding="utf-8")
    with transaction(store, "reader") as uow:
        row = uow.session.scalars(select(AnalysisRow)).one()
        assert (row.method, row.result["kind"]) == ("REML", "network")
        assert row.outcome_id is not None  # linked to the extraction's outcome, by its label
    inputs = report_inputs(store, out)
    assert [n.name for n in inputs.networks] == ["spasms-nma"]
    assert inputs.analyses == ()  # a network is not described as a pairwise analysis
    write_report_outputs(store, out)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "network meta-analysis" in html
    assert "P-score" in html
    assert "larger values are better" in html
    assert "design-by-treatment" in html


def test_grade_takes_the_network_estimate_and_weights_studies_by_contribution(
    store: ReviewStore,
) -> None:
    with transaction(store, "reader") as uow:
        fitted = analyses.fitted_in(uow)
    result, _ = fitted["spasms-nma"]
    doc = {
        "title": "ACTH compared to vigabatrin",
        "all_outcomes": {
            **{d: {"rating": "accept"} for d in ("risk_of_bias", "inconsistency", "imprecision")},
            "indirectness": {"rating": "not serious"},
            "publication_bias": {"rating": "accept"},
        },
        "outcomes": [
            {"name": "Spasm freedom", "analysis": "spasms-nma", "comparison": "ACTH vs Vigabatrin"}
        ],
    }
    levels = {"Ali 2018": "low", "Berg 2019": "high", "Chen 2020": "low", "Diaz 2021": "high"}
    derived = derive(doc, fitted, {}, _rob(levels), path="grade/judgments.toml")
    (outcome,) = derived["outcomes"]
    assert outcome["comparison"] == "ACTH vs Vigabatrin"  # kept: the SoF shows it
    assert "analysis" not in outcome
    league = result.league()
    assert outcome["relative"]["estimate"] == pytest.approx(math.exp(league.estimate[0, 2]))
    assert outcome["intervention"] == {"total": 120, "events": 60}
    shares = study_shares(result, "ACTH", "Vigabatrin")
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["Ali 2018"] > shares["Berg 2019"]  # direct evidence counts more than indirect
    assert outcome["studies"] == len(shares)
    weights = {r["study"]: r["weight"] for r in outcome["rob"]}
    assert weights == pytest.approx(shares)  # each study's RoB counts by its contribution
    assert {r["study"]: r["overall"] for r in outcome["rob"]} == {s: levels[s] for s in shares}
    (assessed,) = judgments_from_mapping(derived, path="grade/judgments.toml").assessments
    assert assessed.comparison == "ACTH vs Vigabatrin"
    assert assessed.evidence.relative is not None
    assert assessed.evidence.relative.estimate == pytest.approx(outcome["relative"]["estimate"])


def _rob(levels: dict[str, str]) -> list[Result]:
    """The RISS example's RoB 2 assessment, relabelled for each study with the level given."""
    (template,) = folder_rob_results(RISS)
    assert template.final_overall is not None
    return [
        replace(
            template,
            assessment=replace(template.assessment, study=study),
            final_overall=type(template.final_overall).parse(level),
        )
        for study, level in levels.items()
    ]


def test_a_wrong_comparison_is_refused_naming_the_field(store: ReviewStore) -> None:
    with transaction(store, "reader") as uow:
        fitted = analyses.fitted_in(uow)
    doc = {"outcomes": [{"name": "x", "analysis": "spasms-nma", "comparison": "ACTH vs Surgery"}]}
    with pytest.raises(ConfigError, match="Surgery") as caught:
        derive(doc, fitted, {}, (), path="grade/judgments.toml")
    assert caught.value.field == "outcomes[0].comparison"


def _renamed(record: Consensus, **names: str) -> Consensus:
    values = dict(record.values)
    values.update({f"characteristics.{k}": v for k, v in names.items()})
    return replace(record, values=tuple(values.items()))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Berg 2019": {"treatment": "Surgery", "comparator": "Diet B"}}, "disconnected"),
        ({"Berg 2019": {"treatment": "Vigabatrin"}}, "both arms"),
        ({"Berg 2019": {"treatment": ""}}, "no treatment name"),
        ({"Chen 2020": {"treatment": "Ketogenic diet"}}, "different numbers"),
    ],
)
def test_data_that_cannot_form_a_network_is_refused(
    store: ReviewStore, change: dict[str, dict[str, str]], message: str
) -> None:
    with transaction(store, "reader") as uow:
        consensus = [_renamed(c, **change.get(c.study, {})) for c in consensus_in(uow)]
    with pytest.raises(ConfigError, match=message) as caught:
        fit_network(NETWORK, consensus, where="review.toml", index=0)
    assert caught.value.path is not None


def test_one_treatment_or_a_missing_reference_is_refused(store: ReviewStore) -> None:
    with transaction(store, "reader") as uow:
        consensus = consensus_in(uow)
    with pytest.raises(ConfigError, match="at least two treatments"):
        fit_network(NETWORK, (), where="review.toml", index=0)
    with pytest.raises(ConfigError, match="reference 'Surgery'") as caught:
        fit_network({**NETWORK, "reference": "Surgery"}, consensus, where="r", index=0)
    assert caught.value.field == "analysis[0].reference"


def test_network_and_pairwise_keys_are_kept_apart(store: ReviewStore) -> None:
    with transaction(store, "editor") as uow:
        with pytest.raises(ConfigError, match="network"):
            analyses.add_analysis(uow, {"name": "p", "outcome": "spasm_free", "reference": "ACTH"})
        with pytest.raises(ConfigError, match="pooling"):
            analyses.add_analysis(uow, {**NETWORK, "name": "n2", "pooling": "MH"})
        with pytest.raises(ConfigError, match="SMD"):
            analyses.add_analysis(uow, {**NETWORK, "name": "n3", "measure": "SMD"})
        with pytest.raises((ConfigError, ValidationError), match="small_values"):
            analyses.add_analysis(uow, {**NETWORK, "name": "n4", "small_values": "low"})


def test_a_network_is_added_and_listed_by_command(store: ReviewStore) -> None:
    from typer.testing import CliRunner

    from evidens.cli.app import app

    db = str(store.engine.url.database)
    runner = CliRunner()
    added = runner.invoke(
        app,
        [
            "analyse", "add", "spasms-fe", "--outcome", "spasm_free", "--measure", "OR",
            "--kind", "network", "--model", "FE", "--reference", "ACTH",
            "--arms", "spasm_free_third:characteristics.third_arm", "--as", "M.V.", "--db", db,
        ],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["analyse", "list", "--db", db], env={"COLUMNS": "300"})
    assert listed.exit_code == 0, listed.output
    assert "network of 3 vs ACTH" in listed.output
    refused = runner.invoke(
        app,
        ["analyse", "add", "bad", "--outcome", "spasm_free", "--kind", "network",
         "--pooling", "MH", "--as", "M.V.", "--db", db],
    )  # fmt: skip
    assert isinstance(refused.exception, ConfigError)  # evidens.cli.main prints it as a line
    assert refused.exception.field == "pooling"
    assert "pooling is not used by a network analysis" in str(refused.exception)


def test_the_arms_tables_are_checked_like_any_review_toml_key() -> None:
    from evidens.services.folders.review_check import check_mapping
    from evidens.services.folders.review_schema import ANALYSIS

    assert check_mapping(NETWORK, ANALYSIS, source="review.toml") == []
    misspelt = {**NETWORK, "arms": [{"outcome": "spasm_free_third", "experimantal": "x"}]}
    (problem,) = check_mapping(misspelt, ANALYSIS, source="review.toml")
    assert "experimantal" in str(problem)
    (problem,) = check_mapping({**NETWORK, "model": "MIXED"}, ANALYSIS, source="review.toml")
    assert "random_inconsistency" in str(problem)  # the choices are named
