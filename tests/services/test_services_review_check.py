"""`evidens check`: every problem of a review folder named by file:line:key, with a hint;
the same check refuses the folder at the start of `evidens run`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import REPO_ROOT

from evidens.errors import ConfigError
from evidens.services.folders.review_check import check_review_dir
from evidens.services.folders.review_schema import REVIEW
from evidens.services.folders.run import run_review
from evidens.services.folders.toml_lines import key_lines
from evidens.services.synthesis.analyses import OPTIONS
from evidens.services.synthesis.network import NETWORK_KEYS

RISS = REPO_ROOT / "examples" / "riss"


def _riss(tmp_path: Path) -> Path:
    folder = tmp_path / "riss"
    shutil.copytree(RISS, folder)
    return folder


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_the_examples_have_no_problem() -> None:
    assert check_review_dir(RISS) == []


def test_the_dinosaur_example_and_its_exports_have_no_problem(shared_dir: Path) -> None:
    assert shared_dir.is_dir()
    assert check_review_dir(REPO_ROOT / "examples" / "dinosaur-records") == []


def test_every_planted_mistake_is_named_by_file_line_and_key(tmp_path: Path) -> None:
    folder = _riss(tmp_path)
    review = folder / "review.toml"
    _edit(review, "[pico]", "[pcio]")
    _edit(review, 'measure = "RD"', 'mesure = "RD"')
    _edit(review, "maybe_is_conflict = false", 'maybe_is_conflict = "no"')
    _edit(review, 'role = "reviewer"', 'rol = "reviewer"')
    _edit(review, 'pooling = "MH"', 'pooling = "MHH"')
    _edit(review, "rob_reviewers = 2", "rob_reviewers = -2")
    _edit(folder / "searches.toml", "date = 2024-03-05", 'date = "2024-03-05"')
    _edit(folder / "studies.toml", "design =", "desing =")
    found = {(Path(p.path or "").name, p.line, p.field): p for p in check_review_dir(folder)}
    expected = {
        ("review.toml", _line_of(review, "[pcio]"), "pcio"): "did you mean [pico]?",
        ("review.toml", _line_of(review, "mesure"), "analysis[1].mesure"): "measure",
        ("review.toml", _line_of(review, "maybe_is_conflict"), "screening.maybe_is_conflict"): "",
        ("review.toml", _line_of(review, "rol ="), "team.members[1].rol"): "did you mean role?",
        ("review.toml", _line_of(review, '"MHH"'), "analysis[1].pooling"): "'MH'",
        ("review.toml", _line_of(review, "rob_reviewers"), "methods.rob_reviewers"): "",
        ("searches.toml", _line_of(folder / "searches.toml", "date ="), "search[0].date"): "",
        ("studies.toml", _line_of(folder / "studies.toml", "desing"), "study[0].desing"): "design",
    }
    assert set(found) == set(expected)
    for where, hint in expected.items():
        assert hint in (found[where].hint or ""), (where, found[where])
    assert "must be true or false, not text" in str(
        found["review.toml", _line_of(review, "maybe_is_conflict"), "screening.maybe_is_conflict"]
    )


def test_a_missing_required_key_and_a_list_of_the_wrong_type(tmp_path: Path) -> None:
    folder = _riss(tmp_path)
    review = folder / "review.toml"
    _edit(review, 'name = "Seizure reduction"', 'title = "Seizure reduction"')
    _edit(review, 'languages = ["English", "Spanish"]', 'languages = "English"')
    messages = {(p.field, p.message) for p in check_review_dir(folder)}
    assert ("outcomes[3]", "missing 'name'") in messages
    assert ("outcomes[3].title", "unknown key 'title'") in messages
    assert ("review.languages", "must be a list of text, not text") in messages


def test_a_misnamed_log_and_a_semicolon_log_get_their_hints(tmp_path: Path) -> None:
    folder = _riss(tmp_path)
    (folder / "screening").mkdir()
    (folder / "screening" / "title-abstract.csv").write_text("record,reviewer,decision\n")
    (folder / "screening" / "full_text.csv").write_text(
        "record;reviewer;decision\npmid:1;a;include\n"
    )
    (folder / "fulltext").mkdir()
    (folder / "fulltext" / "retrieval.csv").write_text("record,retreived\n")
    problems: dict[str, list[str]] = {}
    for problem in check_review_dir(folder):
        problems.setdefault(Path(problem.path or "").name, []).append(str(problem))
    assert problems["title-abstract.csv"] == [
        (
            f"{folder}/screening/title-abstract.csv: a file evidens does not read"
            " (did you mean screening/title_abstract.csv?)"
        )
    ]
    [semicolon] = problems["full_text.csv"]
    assert semicolon.startswith(f"{folder}/screening/full_text.csv:1: the columns are separated")
    assert "comma-separated" in semicolon
    assert problems["retrieval.csv"] == [
        (
            f"{folder}/fulltext/retrieval.csv:1:retreived: unknown column 'retreived'"
            " (did you mean retrieved?)"
        ),
        (
            f"{folder}/fulltext/retrieval.csv:1: missing column 'retrieved'"
            " (the header needs: record, retrieved)"
        ),
    ]


def test_a_toml_syntax_error_names_its_line(tmp_path: Path) -> None:
    folder = _riss(tmp_path)
    _edit(folder / "studies.toml", 'label = "Sharma 2021"', 'label = "Sharma 2021')
    [problem] = check_review_dir(folder)
    assert problem.line == _line_of(folder / "studies.toml", "label =")
    assert "not valid TOML" in problem.message


def test_run_refuses_a_folder_with_an_unknown_key_and_builds_nothing(tmp_path: Path) -> None:
    folder = _riss(tmp_path)
    _edit(folder / "review.toml", "[pico]", "[pcio]")
    _edit(folder / "review.toml", 'measure = "RD"', 'mesure = "RD"')
    out = tmp_path / "out"
    with pytest.raises(ConfigError) as caught:
        run_review(folder, out)
    assert f"review.toml:{_line_of(folder / 'review.toml', '[pcio]')}:pcio" in str(caught.value)
    assert "1 more problem: see `evidens check" in str(caught.value)
    assert not (out / "review.db").exists()


def test_a_cut_export_is_found_by_check(tmp_path: Path) -> None:
    folder = _riss(tmp_path)
    export = folder / "pubmed.nbib"
    export.write_text("PMID- 1\nTI  - A trial\nSO  - J. 2020.\n\nPMID- 2\nTI  - Cut her", "utf-8")
    _edit(
        folder / "searches.toml",
        'platform = "NCBI PubMed"',
        'platform = "NCBI PubMed"\nfiles = ["pubmed.nbib"]',
    )
    [problem] = check_review_dir(folder)
    assert (problem.path, problem.line, problem.field) == (str(export.resolve()), 6, "SO")
    assert "cut off" in problem.message
    assert check_review_dir(folder, read_exports=False) == []


def test_every_analysis_option_the_run_reads_is_declared() -> None:
    analysis = REVIEW.key("analysis")
    assert analysis is not None
    assert analysis.table is not None
    declared = {k.name for k in analysis.table.keys}
    network = set(NETWORK_KEYS)
    assert set(OPTIONS) | network | {"name", "outcome", "measure", "labels"} == declared


def test_key_lines_follow_headers_arrays_of_tables_and_multi_line_values() -> None:
    text = (
        "top = 1\n"  # 1
        '[[study]]\nlabel = "A"\n'  # 2, 3
        "notes = '''\n[not.a.header]\nfake = 1\n'''\n"  # 4-7
        "[[study.resolution]]\nfield = 'x'\n"  # 8, 9
        '[[study]]\nlabel = "B"\n'  # 10, 11
        "[[study.resolution]]\nfield = 'y'\n"  # 12, 13
        "[team]\nmembers = [\n  { name = 'a' },\n  { name = 'b', rol = 'x' },\n]\n"  # 14-18
        '"quoted key" = 2\n'  # 19
    )
    lines = key_lines(text)
    assert lines.line_of(("top",)) == 1
    assert lines.line_of(("study", 0, "label")) == 3
    assert lines.line_of(("study", 0, "resolution", 0, "field")) == 9
    assert lines.line_of(("study", 1, "label")) == 11
    assert lines.line_of(("study", 1, "resolution", 0, "field")) == 13
    assert lines.line_of(("not", "a", "header")) is None
    assert lines.line_of(("study", 0, "fake")) == 2  # inside a string: the table's line
    assert lines.line_of(("team", "members", 1, "name")) == 17
    assert lines.line_of(("team", "members", 1, "rol")) == 17
    assert lines.line_of(("team", "quoted key")) == 19


def test_every_bad_line_of_a_decision_log_is_named(tmp_path: Path) -> None:
    folder = _riss(tmp_path)
    (folder / "screening").mkdir()
    log = folder / "screening" / "title_abstract.csv"
    log.write_text(
        "record,reviewer,decision\npmid:1,alice,include\npmid:2,alice,yes\n,bruno,exclude\n"
        "pmid:3,bruno,Maybe\npmid:4,,exclude\n",
        encoding="utf-8",
    )
    problems = [(p.line, p.field, p.message) for p in check_review_dir(folder)]
    assert problems == [
        (3, "decision", "decision 'yes' is not include, exclude or maybe"),
        (4, "record", "empty value"),
        (6, "reviewer", "empty value"),
    ]


def test_an_analysis_of_an_outcome_the_extraction_does_not_have(tmp_path: Path) -> None:
    folder = _riss(tmp_path)
    review = folder / "review.toml"
    _edit(review, 'outcome = "spasm_free"', 'outcome = "spasm_fre"')
    [problem] = check_review_dir(folder)
    assert (problem.line, problem.field) == (_line_of(review, "spasm_fre"), "analysis[2].outcome")
    assert problem.hint == "did you mean spasm_free?"
    assert check_review_dir(folder, readers=False) == []  # the run finds it when it fits
