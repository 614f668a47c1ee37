"""HTML for the SoF table and the evidence profile: self-contained, every text escaped.

Outcome names, reasons and comments come from people and files, so every piece of text goes
through :func:`html.escape`; the markup around it is fixed. The evidence profile also lists
each suggestion beside the rating the assessor chose, with the figures it was based on.
"""

from __future__ import annotations

from html import escape

from evidens.core import OutcomeKind
from evidens.grade.model import (
    Domain,
)
from evidens.grade.sof import (
    SofRow,
    SofTable,
    absolute_summary,
    arm_text,
    comparator_risk_text,
    continuous_text,
    measure_names,
)

CERTAINTY_DEFINITIONS = (
    ("High certainty", "we are very confident that the true effect lies close to the estimate."),
    (
        "Moderate certainty",
        (
            "we are moderately confident in the estimate: the true effect is likely to be close to "
            "it, but may be substantially different."
        ),
    ),
    (
        "Low certainty",
        (
            "our confidence in the estimate is limited: the true effect may be substantially "
            "different from it."
        ),
    ),
    (
        "Very low certainty",
        (
            "we have very little confidence in the estimate: the true effect is likely to be "
            "substantially different from it."
        ),
    ),
)

_STYLE = """
body{font-family:Arial,Helvetica,sans-serif;font-size:10pt;color:#111}
h1{font-size:13pt;margin:0 0 .5em 0}
table.grade{border-collapse:collapse;width:100%;margin-bottom:1em}
table.grade th,table.grade td{border:1px solid #7a7a7a;padding:4px 6px;vertical-align:top}
table.grade thead th{background:#dce6f0;text-align:center}
table.grade caption{font-weight:bold;text-align:left;padding:4px 0}
td.certainty{white-space:nowrap}
.meta{margin:0 0 .6em 0}
.footer p{margin:.2em 0}
sup{font-size:75%}
""".strip()


def _sup(letters: tuple[str, ...]) -> str:
    return f"<sup>{escape(','.join(letters))}</sup>" if letters else ""


def _page(kind: str, title: str, body: str) -> str:
    """A whole document: ``kind`` ("Summary of findings") is its one heading, which screen
    readers jump to; the table's caption below it names the comparison."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(kind)}: {escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>\n<h1>{escape(kind)}</h1>\n{body}\n</main></body></html>\n"
    )


def _meta_block(table: SofTable) -> str:
    h = table.header
    lines = [
        ("Patient or population", h.population),
        ("Setting", h.setting),
        ("Intervention", h.intervention),
        ("Comparison", h.comparison),
    ]
    parts = [f"<b>{escape(k)}:</b> {escape(v)}<br>" for k, v in lines if v]
    return f'<p class="meta">{"".join(parts)}</p>'


def _footer(table: SofTable, *, sof: bool) -> str:
    parts = []
    if sof:
        parts.append(
            "<p>*The risk in the intervention group (and its 95% CI) is based on the assumed "
            "risk in the comparison group and the relative effect of the intervention (and "
            "its 95% CI), or on the risk difference where the footnote says so.</p>"
        )
    parts.append(f"<p>{escape('; '.join(measure_names(table)))}</p>")
    parts.append("<p><b>GRADE Working Group grades of evidence</b></p>")
    parts.extend(f"<p><b>{escape(k)}:</b> {escape(v)}</p>" for k, v in CERTAINTY_DEFINITIONS)
    if table.footnotes:
        parts.append("<p><b>Explanations</b></p>")
        parts.extend(f"<p>{escape(f.letter)}. {escape(f.text)}</p>" for f in table.footnotes)
    return f'<div class="footer">{"".join(parts)}</div>'


def _sof_rows(row: SofRow) -> str:
    ev = row.assessment.evidence
    shared_before = f"<td>{escape(row.outcome_text)}{_sup(row.outcome_letters)}</td>"
    shared_after = (
        f"<td>{escape(row.relative_text)}{_sup(row.relative_letters)}</td>"
        f"<td>{escape(row.participants_text)}</td>"
        f'<td class="certainty">{escape(row.certainty_text)}{_sup(row.certainty_letters)}</td>'
        f"<td>{escape(row.comment)}</td>"
    )
    if ev.kind is OutcomeKind.CONTINUOUS or not row.absolute:
        mean = ev.comparator.mean
        base = "–" if mean is None else f"The mean was {mean:g}"
        effect = continuous_text(ev.relative, ev.scale) if ev.relative else "not estimable"
        cells = f"<td>{escape(base)}</td><td>{escape(effect)}{_sup(row.absolute_letters)}</td>"
        return f"<tr>{shared_before}{cells}{shared_after}</tr>"
    span = len(row.absolute)
    out = []
    for i, eff in enumerate(row.absolute):
        cells = (
            f"<td>{escape(eff.label)}<br>{escape(comparator_risk_text(eff))}</td>"
            f"<td>{escape(eff.text)}{_sup(row.absolute_letters)}</td>"
        )
        if i == 0:
            first = shared_before.replace("<td>", f'<td rowspan="{span}">', 1)
            rest = shared_after.replace("<td", f'<td rowspan="{span}"')
            out.append(f"<tr>{first}{cells}{rest}</tr>")
        else:
            out.append(f"<tr>{cells}</tr>")
    return "\n".join(out)


def sof_html_table(table: SofTable) -> str:
    """The SoF table as an HTML fragment (for the web app and the report)."""
    h = table.header
    head = (
        "<thead><tr>"
        '<th rowspan="2">Outcomes</th>'
        '<th colspan="2">Anticipated absolute effects* (95% CI)</th>'
        '<th rowspan="2">Relative effect (95% CI)</th>'
        '<th rowspan="2">№ of participants (studies)</th>'
        '<th rowspan="2">Certainty of the evidence (GRADE)</th>'
        '<th rowspan="2">Comments</th></tr>'
        f"<tr><th>Risk with {escape(h.comparison_short)}</th>"
        f"<th>Risk difference with {escape(h.intervention_short)}</th></tr></thead>"
    )
    body = "\n".join(_sof_rows(r) for r in table.rows)
    return (
        f'<table class="grade sof"><caption>{escape(h.title)}</caption>{head}'
        f"<tbody>\n{body}\n</tbody></table>"
    )


def sof_html(table: SofTable) -> str:
    """A complete HTML page with the SoF table, its header block and footer."""
    body = _meta_block(table) + sof_html_table(table) + _footer(table, sof=True)
    return _page("Summary of findings", table.header.title, body)


_PROFILE_DOMAINS = (
    Domain.RISK_OF_BIAS,
    Domain.INCONSISTENCY,
    Domain.INDIRECTNESS,
    Domain.IMPRECISION,
)


def other_considerations(row: SofRow) -> str:
    """Publication bias and any rating up, as GRADEpro's 'Other considerations' column."""
    a = row.assessment
    parts = []
    pub = a.judgment(Domain.PUBLICATION_BIAS)
    if pub.rating:
        parts.append(Domain.PUBLICATION_BIAS.rating_label(pub.rating))
    parts.extend(f"{u.factor.label.lower()} (+{u.levels})" for u in a.upgrades if u.levels)
    return "; ".join(parts) if parts else "none"


def _profile_row(row: SofRow) -> str:
    a, ev = row.assessment, row.assessment.evidence
    cells = [
        f"<td>{escape(row.outcome_text)}{_sup(row.outcome_letters)}</td>",
        f"<td>{ev.studies}</td>",
        f"<td>{escape(ev.design.label_for(ev.studies))}</td>",
    ]
    for domain in _PROFILE_DOMAINS:
        label = a.judgment(domain).rating.label.capitalize()
        cells.append(f"<td>{escape(label)}{_sup(row.letters_for(domain))}</td>")
    pub_letters = row.letters_for(Domain.PUBLICATION_BIAS) + row.upgrade_letters
    cells.append(f"<td>{escape(other_considerations(row))}{_sup(pub_letters)}</td>")
    cells.append(f"<td>{escape(arm_text(ev.intervention, ev.kind))}</td>")
    cells.append(f"<td>{escape(arm_text(ev.comparator, ev.kind))}</td>")
    cells.append(f"<td>{escape(row.relative_text)}{_sup(row.relative_letters)}</td>")
    cells.append(f"<td>{escape(absolute_summary(row))}{_sup(row.absolute_letters)}</td>")
    cells.append(f'<td class="certainty">{escape(row.certainty_text)}</td>')
    cells.append(f"<td>{escape(a.importance.value.upper())}</td>")
    return "<tr>" + "".join(cells) + "</tr>"


def profile_html_table(table: SofTable) -> str:
    """The GRADE evidence profile (every domain per outcome) as an HTML fragment."""
    h = table.header
    head = (
        "<thead><tr>"
        '<th rowspan="2">Outcome</th><th colspan="7">Certainty assessment</th>'
        '<th colspan="2">№ of patients</th><th colspan="2">Effect</th>'
        '<th rowspan="2">Certainty</th><th rowspan="2">Importance</th></tr><tr>'
        "<th>№ of studies</th><th>Study design</th><th>Risk of bias</th>"
        "<th>Inconsistency</th><th>Indirectness</th><th>Imprecision</th>"
        "<th>Other considerations</th>"
        f"<th>{escape(h.intervention_short)}</th><th>{escape(h.comparison_short)}</th>"
        "<th>Relative (95% CI)</th><th>Absolute (95% CI)</th></tr></thead>"
    )
    body = "\n".join(_profile_row(r) for r in table.rows)
    return (
        f'<table class="grade profile"><caption>{escape(h.title)}</caption>{head}'
        f"<tbody>\n{body}\n</tbody></table>"
    )


def suggestions_html_table(table: SofTable) -> str:
    """Each suggestion beside the rating chosen, with its inputs, so overrides are visible."""
    rows = []
    for row in table.rows:
        for j in row.assessment.judgments:
            s = j.suggestion
            suggested = "–" if s is None else s.rating.label
            inputs = "" if s is None else "; ".join(f"{k}: {v}" for k, v in s.inputs)
            why = "" if s is None else s.explanation
            status = "changed" if j.overrides_suggestion else ("accepted" if s else "no suggestion")
            rows.append(
                f"<tr><td>{escape(row.assessment.evidence.outcome)}</td>"
                f"<td>{escape(j.domain.label)}</td><td>{escape(suggested)}</td>"
                f"<td>{escape(why)}</td><td>{escape(inputs)}</td>"
                f"<td>{escape(j.rating.label)}</td><td>{escape(status)}</td>"
                f"<td>{escape(j.reason)}</td></tr>"
            )
    head = (
        "<thead><tr><th>Outcome</th><th>Domain</th><th>Suggested</th><th>Why</th>"
        "<th>Inputs</th><th>Judged</th><th>Status</th><th>Assessor's reason</th></tr></thead>"
    )
    return (
        '<table class="grade suggestions"><caption>Suggestions and judgments</caption>'
        f"{head}<tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
    )


def profile_html(table: SofTable) -> str:
    """A complete page: the evidence profile, its footer, then suggestions vs judgments."""
    body = (
        _meta_block(table)
        + profile_html_table(table)
        + _footer(table, sof=False)
        + suggestions_html_table(table)
    )
    return _page("Evidence profile", table.header.title, body)
