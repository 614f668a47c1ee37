"""Dual extraction: discrepancies field by field, and a consensus that alone flows on."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidens.core import ArmData, Outcome, OutcomeKind
from evidens.errors import ValidationError
from evidens.extraction import (
    Derived,
    Extraction,
    FieldResolution,
    OutcomeData,
    build_consensus,
    characteristics_rows,
    check_extraction,
    default_form,
    discrepancies,
    outcome_data,
    outcomes_csv,
    same,
    sd_from_se,
)

FORM = default_form()


def pain(mean: float, sd: float | None = 2.0) -> OutcomeData:
    return OutcomeData(
        id="pain",
        outcome=Outcome("Pain", OutcomeKind.CONTINUOUS, "12 weeks"),
        experimental=ArmData("experimental", mean=mean, sd=sd, n=40),
        comparator=ArmData("comparator", mean=6.1, sd=2.2, n=41),
    )


def extraction(extractor: str, **changes: object) -> Extraction:
    values = {
        "characteristics.study": "Lee et al. (2020)",
        "characteristics.sample_size": 81,
        "characteristics.country": "Korea",
        "characteristics.treatment": "Exercise",
        "characteristics.comparator": "Usual care",
    }
    values.update({f"characteristics.{k}": v for k, v in changes.items() if k != "pain"})
    arms = (changes.get("pain", pain(4.35)),)
    return Extraction(
        "Lee 2020",
        extractor,
        tuple((k, v) for k, v in values.items() if v is not None),  # type: ignore[misc]
        arms,  # type: ignore[arg-type]
    )


def test_identical_extractions_agree_everywhere() -> None:
    report = discrepancies(extraction("A"), extraction("B"), FORM)
    assert report.discrepancies == ()
    assert report.compared == report.agreed > 10


def test_numbers_agree_within_tolerance_and_text_up_to_case_and_spacing() -> None:
    a = extraction("A", country="Korea")
    b = extraction("B", country="  korea ", pain=pain(4.349))
    assert discrepancies(a, b, FORM).discrepancies == ()
    assert discrepancies(a, b, FORM, abs_tol=0.0).keys == ("outcomes.pain.experimental.mean",)


def test_each_disagreement_names_field_label_and_both_answers() -> None:
    a = extraction("A")
    b = extraction("B", sample_size=18, country=None, pain=pain(4.35, sd=None))
    report = discrepancies(a, b, FORM)
    assert report.keys == (
        "characteristics.sample_size",
        "characteristics.country",
        "outcomes.pain.experimental.sd",
    )
    first = report.discrepancies[0]
    assert first.label == "Sample size"
    assert first.values == (("A", 81), ("B", 18))
    assert report.discrepancies[1].values == (("A", "Korea"), ("B", None))  # blank counts
    assert report.discrepancies[2].label == "pain · experimental · sd"


def test_comparing_different_studies_or_one_extractor_is_refused() -> None:
    other = dataclasses.replace(extraction("B"), study="Kim 2019")
    with pytest.raises(ValidationError, match="different studies"):
        discrepancies(extraction("A"), other)
    with pytest.raises(ValidationError, match="both extractions are by"):
        discrepancies(extraction("A"), extraction("A"))


def test_consensus_needs_every_disagreement_resolved() -> None:
    a, b = extraction("A"), extraction("B", sample_size=18, pain=pain(4.9))
    with pytest.raises(ValidationError, match="2 disagreement") as info:
        build_consensus(a, b, [], decided_by="A and B")
    assert info.value.field == "characteristics.sample_size"


def test_consensus_records_who_decided_and_feeds_outputs() -> None:
    a, b = extraction("A"), extraction("B", sample_size=18, pain=pain(4.9))
    resolutions = [
        FieldResolution("characteristics.sample_size", "A, B", take="A", note="Table 1"),
        FieldResolution("outcomes.pain.experimental.mean", "C (arbiter)", value=4.4),
    ]
    consensus = build_consensus(a, b, resolutions, decided_by="discussion", form=FORM)
    assert consensus.value("characteristics.sample_size") == 81
    assert [(d.key, d.value, d.decided_by) for d in consensus.decisions] == [
        ("characteristics.sample_size", 81, "A, B"),
        ("outcomes.pain.experimental.mean", 4.4, "C (arbiter)"),
    ]
    assert consensus.decisions[1].proposals == (("A", 4.35), ("B", 4.9))
    [study] = outcome_data([consensus])["pain"]
    assert study.pair == (
        ArmData("Exercise", mean=4.4, sd=2.0, n=40),
        ArmData("Usual care", mean=6.1, sd=2.2, n=41),
    )
    assert characteristics_rows([consensus])[0]["Sample size"] == "81"


def test_resolution_can_empty_a_field_and_must_name_a_real_extractor() -> None:
    a, b = extraction("A"), extraction("B", country="Japan")
    emptied = build_consensus(
        a, b, [FieldResolution("characteristics.country", "A, B")], decided_by="A, B"
    )
    assert emptied.value("characteristics.country") is None
    with pytest.raises(ValidationError, match="names no extractor"):
        build_consensus(
            a, b, [FieldResolution("characteristics.country", "A", take="Z")], decided_by="A"
        )


def test_consensus_value_is_validated_against_the_form() -> None:
    a, b = extraction("A"), extraction("B", sample_size=18)
    with pytest.raises(ValidationError, match="out of range"):
        build_consensus(
            a,
            b,
            [FieldResolution("characteristics.sample_size", "A", value=0)],
            decided_by="A",
            form=FORM,
        )


def test_derivations_follow_only_agreed_values() -> None:
    derived = Derived("sd", 2.0, "SD from SE", "SD = SE × √n", (("se", 0.316), ("n", 40.0)))
    a = dataclasses.replace(
        extraction("A"),
        derived=(dataclasses.replace(derived, target="outcomes.pain.experimental.sd"),),
    )
    consensus = build_consensus(a, extraction("B"), [], decided_by="A, B")
    assert [d.target for d in consensus.derived] == ["outcomes.pain.experimental.sd"]


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.floats(min_value=0.0, max_value=1e3, allow_nan=False),
)
def test_same_is_symmetric_and_respects_the_tolerance(x: float, gap: float) -> None:
    y = x + gap
    assert same(x, y) == same(y, x)
    if gap > 0.006:  # beyond the default 0.005 with room for float rounding of x + gap
        assert not same(x, y)
    if gap < 0.004:
        assert same(x, y)


def test_check_extraction_refuses_unknown_fields_and_missing_required_ones() -> None:
    check_extraction(FORM, extraction("A"))
    check_extraction(FORM, extraction("A"), complete=True)  # study and sample size given
    stray = dataclasses.replace(extraction("A"), values=(("characteristics.colour", "red"),))
    with pytest.raises(ValidationError, match="not a field of the form"):
        check_extraction(FORM, stray)
    with pytest.raises(ValidationError, match="required but empty") as info:
        check_extraction(FORM, dataclasses.replace(extraction("A"), values=()), complete=True)
    assert info.value.field == "characteristics.study"
    closed = dataclasses.replace(FORM, open_outcomes=False)
    with pytest.raises(ValidationError, match="outcome not listed"):
        check_extraction(closed, extraction("A"))


def test_outcomes_csv_names_derived_numbers_with_their_formula() -> None:
    sd = sd_from_se(0.316, 40)
    derived = dataclasses.replace(sd, target="outcomes.pain.experimental.sd")
    a = dataclasses.replace(extraction("A", pain=pain(4.35, sd=sd.value)), derived=(derived,))
    b = extraction("B", pain=pain(4.35, sd=round(sd.value, 3)))
    consensus = build_consensus(a, b, [], decided_by="A, B")
    row = outcomes_csv([consensus]).splitlines()[1]
    assert row.endswith(",exp_sd: SD from SE (SD = SE × √n)")


@pytest.mark.parametrize(
    ("resolution", "message"),
    [
        (FieldResolution("characteristics.sampel_size", "A", value=81), "names no field"),
        (FieldResolution("outcomes.death.experimental.events", "A", value=3), "names no field"),
        (FieldResolution("outcomes.pain.experimental.sdev", "A", value=3), "names no field"),
        (FieldResolution("outcomes.pain.experimental.n", "A", value=40.5), "not a whole number"),
        (FieldResolution("outcomes.pain.experimental.mean", "A", value="4,4"), "not a number"),
        (FieldResolution("outcomes.pain.experimental.sd", "A", value=-1.0), "not above 0"),
    ],
)
def test_bad_resolutions_are_refused(resolution: FieldResolution, message: str) -> None:
    a, b = extraction("A"), extraction("B")
    with pytest.raises(ValidationError, match=message):
        build_consensus(a, b, [resolution], decided_by="A", form=FORM)
