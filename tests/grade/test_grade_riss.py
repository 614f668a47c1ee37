"""The RISS example regenerates the seed paper's Table 4 (GRADE evidence profile).

Reference: ../shared/seeds/000_bb032bccad503e03.txt, Table 4 and its footnotes (Chávez-
Nomberto et al., Rev Ecuat Neurol 2026). evidens adds what the seed left "NE": the absolute
effects from the risk difference, checked against metafor's rma.mh RD in test_grade_absolute.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document

from evidens.grade import GradeFile, run_outputs
from evidens.grade.model import Domain
from evidens.grade.render_html import other_considerations
from evidens.grade.sof import SofRow, arm_text
from evidens.services.synthesis.grading import load_grade

SEED = "seeds/000_bb032bccad503e03.txt"
DOMAIN_COLUMNS = (
    Domain.RISK_OF_BIAS,
    Domain.INCONSISTENCY,
    Domain.INDIRECTNESS,
    Domain.IMPRECISION,
)


@pytest.fixture(scope="module")
def riss(repo_root: Path) -> GradeFile:
    path = repo_root / "examples/riss/grade/judgments.toml"
    return load_grade(path)  # every number derived from the review folder around it


@pytest.fixture(scope="module")
def table4(shared_dir: Path) -> list[list[str]]:
    lines = (shared_dir / SEED).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("**Table 4.**"))
    rows = [line.split("\t") for line in lines[start : start + 12] if line.count("\t") >= 10]
    return [r for r in rows if r[1][:1].isdigit()]  # data rows start with a count


def _cell(text: str, letters: tuple[str, ...] = ()) -> str:
    return text + (f"^{','.join(letters)}" if letters else "")


def _seed_cell(text: str) -> str:
    text = re.sub(r"\s*<sup>(.*?)</sup>", r"^\1", text.strip())
    return text.replace("○", "◯")  # the seed prints U+25CB; GRADE's symbol is U+25EF


def _profile_cells(row: SofRow) -> list[str]:
    a, ev = row.assessment, row.assessment.evidence
    domains = [
        _cell(a.judgment(d).rating.label.capitalize(), row.letters_for(d)) for d in DOMAIN_COLUMNS
    ]
    pub = _cell(other_considerations(row), row.letters_for(Domain.PUBLICATION_BIAS))
    return [
        arm_text(ev.intervention, ev.kind),
        arm_text(ev.comparator, ev.kind),
        str(ev.studies),
        *domains,
        pub[0].upper() + pub[1:],
        row.certainty_text,
    ]


def test_table4_rows_are_regenerated(riss: GradeFile, table4: list[list[str]]) -> None:
    assert len(table4) == 4 == len(riss.table.rows)
    for seed, row in zip(table4, riss.table.rows, strict=True):
        name = row.assessment.evidence.outcome.replace("≥", "")
        assert seed[0].startswith(name), (seed[0], name)
        expected = [_seed_cell(c) for c in (*seed[1:3], *seed[4:11])]
        assert _profile_cells(row) == expected


def test_table4_footnotes_say_what_the_seed_says(riss: GradeFile) -> None:
    notes = {f.letter: f.text for f in riss.table.footnotes}
    assert notes["a"].startswith("Risk of bias: rated down one level.")
    assert "blinded" in notes["a"]
    assert notes["b"].startswith("Indirectness: not rated down.")
    assert "antiepileptic drugs" in notes["b"]
    assert notes["c"].startswith("Imprecision: rated down one level.")
    assert "control group" in notes["c"]
    assert notes["d"].startswith("Publication bias: rated down one level.")
    assert "single small trial" in notes["d"]


def test_the_estimable_effects_the_seed_lacked(riss: GradeFile) -> None:
    texts = [row.absolute[0].text if row.absolute else None for row in riss.table.rows]
    assert texts == [
        "196 more per 1000 (81 to 310 more)",
        "239 more per 1000 (116 to 362 more)",
        "652 more per 1000 (515 to 790 more)",
        None,
    ]
    first = riss.table.rows[0]
    assert first.relative_text == "RR 18.60 (1.11 to 310.30)"  # escalc RR, 0.5 added
    notes = {f.letter: f.text for f in riss.table.footnotes}
    assert "0.5 added" in notes[first.relative_letters[0]]
    assert "no continuity correction" in notes[first.absolute_letters[0]]
    last = riss.table.rows[3]
    assert last.relative_text == "not estimable"
    assert "Not estimable" in notes[last.outcome_letters[0]]


def test_suggestions_agree_with_the_seed_judgments(riss: GradeFile) -> None:
    for assessment in riss.assessments:
        for judgment in assessment.judgments:
            if judgment.domain is Domain.INDIRECTNESS:
                assert judgment.suggestion is None  # no number can judge indirectness
            else:
                assert not judgment.overrides_suggestion, judgment


def test_run_outputs_write_the_four_files(riss: GradeFile) -> None:
    files = run_outputs(riss.table)
    assert set(files) == {"sof.json", "sof.html", "sof.docx", "evidence-profile.html"}
    document = Document(io.BytesIO(files["sof.docx"]))
    cells = [c.text for c in document.tables[0].rows[4].cells]
    assert cells[0].startswith("Electroclinical resolution")
    assert cells[2] == "196 more per 1000 (81 to 310 more)f"  # the letter is a superscript run
    assert cells[5] == "⊕◯◯◯\nVery lowa,b,c,d"
    assert "⊕◯◯◯ Very low" in files["evidence-profile.html"].decode()
