"""The report's lists and synthesis methods, built from plain inputs: reports cited in
Vancouver style, not-retrieved and excluded tables whose notes count what they list, import
warnings per file (capped, never silently), and synthesis methods that say what real fits
did (pooled or not, which τ² estimator, heterogeneity only when there was any to measure)."""

from __future__ import annotations

import io
from dataclasses import replace

import lxml.html
from docx import Document

from evidens.core import Record
from evidens.meta import MetaAnalysis, binary_effects
from evidens.prisma.counts import derive, with_reported
from evidens.report.citation import record_citation, vancouver_author
from evidens.report.document import build_report
from evidens.report.inputs import (
    AnalysisMethod,
    ImportLog,
    ImportWarning,
    PrismaFigure,
    ReportInputs,
    ReportOutcome,
)
from evidens.report.lists import MAX_WARNINGS_SHOWN, NO_REASON
from evidens.report.render_report_docx import report_docx
from evidens.report.render_report_html import report_html

SHARMA = Record(
    title="Evaluation of the Modified Atkins Diet for the Treatment of Epileptic Spasms.",
    authors=("Sharma, Suvasini", "Goel, S.", "Kapoor, Dipti", "Jain, P", "Gulati, S", "Ray, A B"),
    year=2021,
    journal="J Child Neurol",
    volume="36",
    issue="8",
    pages="686-691",
    doi="10.1177/08830738211004747",
    pmid="33719690",
)


def test_authors_are_written_surname_and_initials() -> None:
    assert vancouver_author("Sharma, Suvasini") == "Sharma S"
    assert vancouver_author("Grimaldi, David A") == "Grimaldi DA"
    assert vancouver_author("Pérez-de la Fuente, Ricardo") == "Pérez-de la Fuente R"
    assert vancouver_author("Lee, Jean-Paul") == "Lee JP"
    assert vancouver_author("Sharma S") == "Sharma S"  # already Vancouver
    assert vancouver_author("WHO Study Group") == "WHO Study Group"


def test_a_record_is_cited_with_six_authors_then_et_al() -> None:
    assert record_citation(SHARMA) == (
        "Sharma S, Goel S, Kapoor D, Jain P, Gulati S, Ray AB. Evaluation of the Modified "
        "Atkins Diet for the Treatment of Epileptic Spasms. J Child Neurol. "
        "2021;36(8):686-691. doi:10.1177/08830738211004747"
    )
    seven = replace(SHARMA, authors=(*SHARMA.authors, "Last, One"))
    assert record_citation(seven).startswith(
        "Sharma S, Goel S, Kapoor D, Jain P, Gulati S, Ray AB, et al. "
    )
    bare = Record(title="A register entry", pmid="123")
    assert record_citation(bare) == "A register entry. PMID: 123"
    assert record_citation(Record()) == "(untitled record)."


def _excluded(reasons: list[str]) -> tuple[ReportOutcome, ...]:
    return tuple(
        ReportOutcome(Record(title=f"Study {i}", authors=(f"Author{i}, A",)), r, "agreed (a, b)")
        for i, r in enumerate(reasons)
    )


def test_excluded_table_lists_every_report_and_counts_each_reason() -> None:
    rows = _excluded(["Wrong population", "Not randomised", "Wrong population", ""])
    report = build_report(ReportInputs(title="R", excluded=rows))
    table = report.table("excluded")
    assert len(table.body) == len(rows)
    assert [r[0].text.split(".")[0] for r in table.body] == [
        "Author0 A",
        "Author1 A",
        "Author2 A",
        "Author3 A",
    ]  # alphabetical, as a reference list
    assert table.body[3][1].text == NO_REASON
    assert table.body[3][1].muted
    assert table.notes[0] == (
        "n = 4, the 'Reports excluded' box of the flow diagram: Wrong population (n = 2); "
        f"Not randomised (n = 1); {NO_REASON} (n = 1)."
    )
    where = {i.item: i.location for i in report.checklist}
    assert where["16b"] == "Table 1"
    assert where["16a"] == "Table 1"


def test_not_retrieved_rows_carry_their_reason() -> None:
    rows = (ReportOutcome(SHARMA, "Paywalled"), ReportOutcome(Record(title="B"), ""))
    table = build_report(ReportInputs(title="R", not_retrieved=rows)).table("not-retrieved")
    assert [(r[0].text, r[1].text) for r in table.body] == [
        ("B.", NO_REASON),
        (record_citation(SHARMA), "Paywalled"),
    ]
    assert table.notes[0].startswith("n = 2,")


def test_empty_or_unrecorded_lists_leave_no_table() -> None:
    for value in ((), None):
        report = build_report(ReportInputs(title="R", excluded=value, not_retrieved=value))
        assert report.blocks == ()
        assert not {i.item: i.location for i in report.checklist}["16b"]


def test_import_warnings_are_listed_per_file_and_capped_with_a_count() -> None:
    many = tuple(ImportWarning(n, f"line outside a record skipped: {n}") for n in range(1, 31))
    logs = (
        ImportLog("pubmed.nbib", "PubMed", "medline", 120, many),
        ImportLog("embase.ris", "Embase", "ris", 80, (ImportWarning(None, "no ER at end"),)),
        ImportLog("scopus.ris", "Scopus", "ris", 75),
    )
    report = build_report(ReportInputs(title="R", imports=logs))
    table = report.table("imports")
    warnings = [r[4].text.split("\n") for r in table.body]
    assert len(warnings[0]) == MAX_WARNINGS_SHOWN + 1
    assert warnings[0][0] == "line 1: line outside a record skipped: 1"
    assert warnings[0][-1] == f"... and {30 - MAX_WARNINGS_SHOWN} more warning(s) of this file"
    assert warnings[1] == ["no ER at end"]
    assert warnings[2] == ["none"]
    assert table.body[2][4].muted
    assert table.notes[0] == "275 records read from 3 file(s), before de-duplication."


def _fit(preset: str = "metafor", **options: str) -> MetaAnalysis:
    return MetaAnalysis(preset=preset, **options)


def _analysis(name: str, k: int, model: MetaAnalysis) -> AnalysisMethod:
    """A real fit of ``k`` made-up trials, described as the store records it."""
    events = [4, 9, 2, 7, 5][:k]
    effects = binary_effects(
        "RR",
        ai=events,
        ci=[e + 3 for e in events],
        n1i=[40] * k,
        n2i=[40] * k,
        labels=[f"Trial {i}" for i in range(k)],
    )
    result = model.fit(effects)
    labels = tuple(s.label for s in result.studies)
    return AnalysisMethod(name, "Mortality", result.methods, labels, result.k)


def _synthesis_text(*analyses: AnalysisMethod) -> str:
    report = build_report(ReportInputs(title="R", analyses=analyses))
    return " ".join(next(s for s in report.methods if s.key == "synthesis").paragraphs)


def test_pooled_random_effects_analyses_are_described_as_run() -> None:
    text = _synthesis_text(_analysis("mortality-rr", 5, _fit()))
    assert (
        "mortality-rr: risk ratio, inverse variance (fixed effect); random effects, REML τ²" in text
    )
    assert "Heterogeneity was quantified with τ² (REML estimator), I² and Cochran's Q." in text
    assert "mortality-rr (Mortality): 5" in text
    assert "no effect was pooled" not in text
    revman = _synthesis_text(_analysis("mortality-rr", 3, _fit("RevMan 5")))
    assert "Mantel-Haenszel (fixed effect); random effects, DerSimonian-Laird τ²" in revman
    assert "preset RevMan 5" in revman


def test_fixed_effect_and_single_study_analyses_claim_no_heterogeneity() -> None:
    fixed = _synthesis_text(_analysis("fe", 4, _fit(method="FE")))
    assert "fe: risk ratio, inverse variance (fixed effect); z-test, 95% CIs" in fixed
    assert "Heterogeneity" not in fixed
    assert "random effects" not in fixed
    single = _synthesis_text(_analysis("one", 1, _fit()))
    assert "risk ratio of its one study with an estimable effect, 95% CI, not pooled" in single
    assert "no effect was pooled" in single
    assert "Heterogeneity" not in single


def test_the_analyses_table_and_checklist_items_13_and_20a() -> None:
    analyses = (_analysis("a-rr", 3, _fit()), _analysis("b-rr", 1, _fit()))
    report = build_report(ReportInputs(title="R", analyses=analyses))
    table = report.table("analyses")
    assert [r[0].text for r in table.body] == ["a-rr", "b-rr"]
    assert table.body[0][4].text == "3: Trial 0; Trial 1; Trial 2"
    assert table.body[1][3].text.startswith("not pooled (1 study")
    where = {i.item: i.location for i in report.checklist}
    for item in ("13a", "13b", "13d"):
        assert where[item] == "Methods: Synthesis; Table 1"
    assert where["20a"] == "Table 1"
    assert where["12"] == "Table 1"


HOSTILE = '<script>alert("x")</script> & <b>'


def test_imported_text_in_the_lists_is_escaped_in_html_and_clean_in_docx() -> None:
    record = Record(title=HOSTILE + "\x0b title", authors=("<img src=x onerror=alert(1)>, A",))
    inputs = ReportInputs(
        title="R",
        imports=(ImportLog("e<v>il.ris", "Db", "ris", 1, (ImportWarning(3, HOSTILE + "\x00"),)),),
        not_retrieved=(ReportOutcome(record, HOSTILE),),
        excluded=(ReportOutcome(record, HOSTILE, "resolved (<i>)"),),
    )
    report = build_report(inputs)
    html = report_html(report)
    tree = lxml.html.fromstring(html)
    assert tree.find(".//script") is None
    assert tree.find(".//img") is None
    assert all(not k.startswith("on") for e in tree.iter() for k in e.attrib)
    cells = tree.get_element_by_id("excluded").find("tbody").findall(".//td")
    assert cells[1].text_content() == HOSTILE
    assert cells[2].text_content() == "resolved (<i>)"
    warning = tree.get_element_by_id("imports").find("tbody").findall(".//td")[4]
    assert warning.text_content() == f"line 3: {HOSTILE}"  # NUL dropped
    doc = Document(io.BytesIO(report_docx(report)))
    imports, not_retrieved, excluded, _checklist = doc.tables
    assert imports.cell(1, 0).text == "e<v>il.ris"
    assert imports.cell(1, 4).text == f"line 3: {HOSTILE}"  # NUL dropped: XML cannot hold it
    assert not_retrieved.cell(1, 1).text == HOSTILE
    assert excluded.cell(1, 0).text.startswith("<img src=x onerror=alert(1)> A. ")
    assert "\x0b" not in excluded.cell(1, 0).text


def test_subgroups_of_a_real_fit_fill_item_13e_and_only_then() -> None:
    effects = binary_effects(
        "RR",
        ai=[4, 9, 2, 7, 5],
        ci=[7, 12, 5, 10, 8],
        n1i=[40] * 5,
        n2i=[40] * 5,
        labels=[f"Trial {i}" for i in range(5)],
    )
    grouped = replace(effects, groups=("Adults", "Adults", "Children", "Children", "Children"))
    result = _fit().fit(grouped)
    names = tuple(name for name, _ in result.subgroups)
    assert names == ("Adults", "Children")
    studies = tuple(s.label for s in result.studies)
    split = AnalysisMethod("by-age", "Mortality", result.methods, studies, result.k, names)
    report = build_report(ReportInputs(title="R", analyses=(split,)))
    text = " ".join(next(s for s in report.methods if s.key == "synthesis").paragraphs)
    assert "by-age was also fitted within each subgroup (Adults and Children)" in text
    where = {i.item: i.location for i in report.checklist}
    assert where["13e"] == "Methods: Synthesis; Table 1"
    plain = build_report(ReportInputs(title="R", analyses=(replace(split, subgroups=()),)))
    assert not {i.item: i.location for i in plain.checklist}["13e"]


def test_reported_counts_are_said_to_be_unlisted_and_nothing_is_claimed_listed() -> None:
    counts = with_reported(
        derive([], 0, []),
        {
            "records_screened": 40,
            "records_excluded": 30,
            "reports_sought_for_retrieval": 10,
            "reports_not_retrieved": 2,
            "reports_assessed_for_eligibility": 8,
            "reports_excluded": {"Wrong design": 5},
            "studies_included_in_review": 3,
            "reports_of_included_studies": 3,
        },
    )
    report = build_report(ReportInputs(title="R", prisma=PrismaFigure(counts)))
    text = " ".join(next(s for s in report.methods if s.key == "selection").paragraphs)
    assert "The 2 reports not retrieved are a count reported from outside evidens" in text
    assert "The 5 full-text exclusions are counts reported from outside evidens" in text
    assert "are listed" not in text
    assert not {i.item: i.location for i in report.checklist}["16b"]
