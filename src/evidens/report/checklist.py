"""The PRISMA 2020 checklist (27 items, 42 with sub-items) and where this report answers it.

Topics are our own short labels, not the statement's item text. Each item names the facts
that answer it (keys of the ``where`` mapping that :func:`evidens.report.document.build_report`
fills from the inputs it was given); an item whose facts are unknown stays blank, shown as
"to be completed by the authors", so the checklist never claims more than the report holds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from evidens.core.cells import spreadsheet_safe
from evidens.report.model import ChecklistItem

# (item, section, topic, keys of the facts that answer it)
ITEMS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("1", "Title", "Identify the report as a systematic review", ("title",)),
    ("2", "Abstract", "Structured abstract (PRISMA 2020 for Abstracts)", ()),
    ("3", "Introduction", "Rationale", ()),
    ("4", "Introduction", "Objectives or question", ("question",)),
    ("5", "Methods", "Eligibility criteria and grouping for syntheses", ("eligibility",)),
    ("6", "Methods", "Information sources and dates searched", ("sources",)),
    ("7", "Methods", "Full search strategies", ("strategy",)),
    ("8", "Methods", "Selection process (reviewers, independence, tools)", ("selection",)),
    ("9", "Methods", "Data collection process", ("collection",)),
    ("10a", "Methods", "Data items: outcomes", ("outcomes",)),
    ("10b", "Methods", "Data items: other variables", ("data_items",)),
    ("11", "Methods", "Risk of bias assessment method", ("rob_method",)),
    ("12", "Methods", "Effect measures", ("effect_measures",)),
    ("13a", "Methods", "Synthesis: which studies enter each synthesis", ("synthesis_eligibility",)),
    ("13b", "Methods", "Synthesis: data preparation", ("data_preparation",)),
    ("13c", "Methods", "Synthesis: tabulation and visual display", ("tabulation",)),
    ("13d", "Methods", "Synthesis: methods, model and software", ("synthesis",)),
    ("13e", "Methods", "Synthesis: exploring heterogeneity", ("heterogeneity",)),
    ("13f", "Methods", "Synthesis: sensitivity analyses", ()),
    ("14", "Methods", "Reporting bias assessment method", ("reporting_bias",)),
    ("15", "Methods", "Certainty assessment method", ("certainty_method",)),
    ("16a", "Results", "Study selection: numbers and flow diagram", ("flow",)),
    ("16b", "Results", "Near-miss studies excluded, and why", ("excluded",)),
    ("17", "Results", "Characteristics of included studies", ("characteristics",)),
    ("18", "Results", "Risk of bias in studies", ("rob_results",)),
    ("19", "Results", "Results of individual studies", ("forests",)),
    ("20a", "Results", "Syntheses: contributing studies", ("contributing",)),
    ("20b", "Results", "Syntheses: results of statistical syntheses", ("forests",)),
    ("20c", "Results", "Syntheses: heterogeneity investigations", ()),
    ("20d", "Results", "Syntheses: sensitivity analyses", ()),
    ("21", "Results", "Reporting biases", ()),
    ("22", "Results", "Certainty of evidence", ("certainty",)),
    ("23a", "Discussion", "Interpretation in context", ()),
    ("23b", "Discussion", "Limitations of the evidence", ()),
    ("23c", "Discussion", "Limitations of the review process", ()),
    ("23d", "Discussion", "Implications", ()),
    ("24a", "Other information", "Registration", ("registration",)),
    ("24b", "Other information", "Protocol access", ()),
    ("24c", "Other information", "Protocol amendments", ()),
    ("25", "Other information", "Support and funding", ()),
    ("26", "Other information", "Competing interests", ()),
    ("27", "Other information", "Availability of data, code and materials", ()),
)


def fill_checklist(where: Mapping[str, str]) -> tuple[ChecklistItem, ...]:
    """Every checklist item with its location in this report where the facts are known."""
    return tuple(
        ChecklistItem(item, section, topic, "; ".join(where[k] for k in keys if where.get(k)))
        for item, section, topic, keys in ITEMS
    )


def checklist_csv(items: Sequence[ChecklistItem]) -> str:
    """The checklist as CSV (item, section, topic, location_reported) for authors to finish."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["item", "section", "topic", "location_reported"])
    for i in items:
        writer.writerow([i.item, i.section, i.topic, spreadsheet_safe(i.location)])
    return out.getvalue()
