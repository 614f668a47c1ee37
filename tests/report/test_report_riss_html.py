"""The RISS example's HTML report regenerates the seed's Tables 1-4 and Figure 1.

Expected values are the seed paper's (/work/shared/seeds/000_bb032bccad503e03.txt: Table 1
search strategies, Figure 1 / Results counts, Table 2 Sharma et al. row, Table 3 RoB 2 rows,
Table 4 summary of findings), typed here by hand, not taken from the code under test.
"""

from __future__ import annotations

import re

import lxml.html
from lxml.html import HtmlElement

from evidens.report.model import TO_COMPLETE

# seed Table 1: source (as evidens names it) and a fragment of the strategy printed for it
SEED_STRATEGIES = (
    ("PubMed", '"Diet, Ketogenic"[mesh]'),
    ("Embase", "'anticonvulsive agent'/exp"),
    ("Scopus", 'TITLE-ABS-KEY ("west syndrome"'),
    ("Web of Science", 'ALL = ("west syndrome"'),
    ("Cochrane CENTRAL", "{Including related terms}"),
    ("WHO ICTRP", "infantile epileptic spasms syndrome) AND (anticonvulsant*"),
    ("ClinicalTrials.gov", 'Condition/disease: "Infantile Spasms" OR "West Syndrome"'),
)
SEED_DATE = "2024-03-05"  # "until March 05, 2024"
# seed Figure 1 and Results paragraph: box heading -> count
SEED_FLOW = (
    ("Total", 15197),
    ("Duplicate records removed", 9469),
    ("Records screened", 5728),
    ("Records excluded", 5376),
    ("Reports sought for retrieval", 352),
    ("Reports assessed for eligibility", 352),
    ("Reasons not reported in the paper", 351),
    ("Studies included in review", 1),
)
# seed Table 3, in its row order (six domains incl. both domain-2 variants, then overall)
SEED_ROB = ("Low", "Some concerns", "High", "Low", "High", "Low", "High")
SEED_ROB_DOMAINS = (
    "randomization process",
    "effect of assignment",
    "effect of adhering",
    "missing outcome data",
    "measurement of the outcome",
    "selection of the reported result",
    "Overall risk of bias",
)
# seed Table 4: outcome, MAD arm, AE arm
SEED_SOF = (
    ("Electroclinical resolution", "9/46 (19.6%)", "0/45 (0.0%)"),
    ("Spasm free", "11/46 (23.9%)", "0/45 (0.0%)"),
    ("50% reduction in spasms", "30/46 (65.2%)", "0/45 (0.0%)"),
    ("Days to achieve spasm cessation", "46", "45"),
)


def _tree(html: str) -> HtmlElement:
    return lxml.html.fromstring(html)


def _rows(tree: HtmlElement, table_id: str) -> list[list[str]]:
    table = tree.get_element_by_id(table_id)
    return [
        [cell.text_content() for cell in row.findall("td")]
        for row in table.find("tbody").findall("tr")
    ]


def test_table1_lists_the_seven_sources_with_strategy_and_date(riss_html: str) -> None:
    rows = _rows(_tree(riss_html), "searches")
    assert len(rows) == len(SEED_STRATEGIES)
    for (source, fragment), row in zip(SEED_STRATEGIES, rows, strict=True):
        assert row[0].startswith(source)
        assert fragment in row[1]
        assert row[2] == SEED_DATE
        assert row[3] == "not reported"  # the seed reports no per-source hits


def test_figure1_shows_the_seed_counts_as_text(riss_html: str) -> None:
    figure = _tree(riss_html).get_element_by_id("prisma")
    assert figure.find(".//svg") is not None  # drawn inline, not linked
    texts = [t.strip() for t in figure.itertext() if t.strip()]
    for heading, count in SEED_FLOW:
        start = next(i for i, t in enumerate(texts) if t.startswith(heading))
        found = next(t for t in texts[start:] if "(n = " in t)
        assert re.search(r"\(n = (\d+)\)", found).group(1) == str(count), heading  # type: ignore[union-attr]


def test_table2_has_sharma_2021_with_91_children_in_india(riss_html: str) -> None:
    tree = _tree(riss_html)
    header = [th.text_content() for th in tree.get_element_by_id("characteristics").iter("th")]
    assert header[:4] == ["Study", "Sample size", "Country", "Study Design"]
    (row,) = _rows(tree, "characteristics")
    assert row[:4] == ["Sharma et al. (2021)", "91", "India", "Randomized controlled trial"]
    assert row[5:7] == ["Modified Atkins diet", "Normal diet"]


def test_table3_has_the_seven_rob_rows_of_the_seed(riss_html: str) -> None:
    rows = _rows(_tree(riss_html), "rob")
    assert rows[0][0] == "Sharma 2021"  # named once, spanning its seven rows
    pairs = [row[-2:] for row in rows]
    assert [judgment for _, judgment in pairs] == list(SEED_ROB)
    for (domain, _), expected in zip(pairs, SEED_ROB_DOMAINS, strict=True):
        assert expected in domain


def test_table4_has_four_outcomes_rated_very_low(riss_html: str) -> None:
    rows = _rows(_tree(riss_html), "sof")
    assert len(rows) == len(SEED_SOF)
    for (outcome, mad, ae), row in zip(SEED_SOF, rows, strict=True):
        assert outcome in row[0]
        assert row[1:3] == [mad, ae]
        assert row[4] == "1"  # one study
        assert row[5].startswith("Serious")  # risk of bias (lack of blinding)
        assert row[6] == "Not serious"
        assert row[7].startswith("Not serious")
        assert row[8].startswith("Serious")  # imprecision
        assert row[9].startswith("Publication bias strongly suspected")
        assert row[10] == "⊕◯◯◯ Very low"


def test_checklist_and_methods_are_in_the_html(riss_html: str) -> None:
    tree = _tree(riss_html)
    rows = _rows(tree, "checklist")
    assert len(rows) == 42
    by_item = {row[0]: row[3] for row in rows}
    assert by_item["7"] == "Table 1"
    assert by_item["16a"] == "Figure 1"
    assert by_item["25"] == TO_COMPLETE
    blank = tree.get_element_by_id("checklist").findall(".//td[@class='blank']")
    assert len(blank) == sum(location == TO_COMPLETE for location in by_item.values())
    text = tree.text_content()
    assert "PROSPERO CRD42023400914" in text
    assert "titles and abstracts by 2 reviewer(s) independently" in text


def test_html_is_self_contained(riss_html: str) -> None:
    tree = _tree(riss_html)
    for element in tree.iter():
        for attribute, value in element.attrib.items():
            if attribute.endswith(("src", "href")):
                assert value.startswith(("data:", "#")), value
    assert tree.find(".//link") is None
    assert tree.find(".//script") is None
    assert "@import" not in riss_html
    assert "url(http" not in riss_html
