"""Markdown, CSV and JSON renderings of the SoF table.

CSV and JSON are the machine-readable forms (docs/reference/methods.md): one row per outcome
with every domain judgment, its suggestion and the footnotes, so another tool - or a later
evidens - can rebuild the table without re-reading the review.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from evidens.core.cells import spreadsheet_safe
from evidens.grade.absolute import AbsoluteEffect
from evidens.grade.inputs import (
    EffectEstimate,
)
from evidens.grade.model import (
    Domain,
    DomainJudgment,
    Suggestion,
)
from evidens.grade.render_html import other_considerations
from evidens.grade.sof import SofRow, SofTable, absolute_summary, arm_text, measure_names

_MD_SPECIALS = str.maketrans({"|": "\\|", "\n": " ", "*": "\\*", "_": "\\_"})


def _md(text: str) -> str:
    return text.translate(_MD_SPECIALS)


def _letters(letters: tuple[str, ...]) -> str:
    return f" ^{','.join(letters)}^" if letters else ""


def sof_markdown(table: SofTable) -> str:
    """A Markdown (pipe table) SoF with the header block and lettered explanations."""
    h = table.header
    lines = [f"**{_md(h.title)}**", ""]
    for key, value in (
        ("Patient or population", h.population),
        ("Setting", h.setting),
        ("Intervention", h.intervention),
        ("Comparison", h.comparison),
    ):
        if value:
            lines.append(f"- {key}: {_md(value)}")
    lines += [
        "",
        (
            "| Outcomes | Anticipated absolute effects* (95% CI) | Relative effect (95% CI) "
            "| № of participants (studies) | Certainty of the evidence (GRADE) | Comments |"
        ),
        "|---|---|---|---|---|---|",
    ]
    for row in table.rows:
        cells = [
            _md(row.outcome_text) + _letters(row.outcome_letters),
            _md(absolute_summary(row)) + _letters(row.absolute_letters),
            _md(row.relative_text) + _letters(row.relative_letters),
            _md(row.participants_text),
            _md(row.certainty_text) + _letters(row.certainty_letters),
            _md(row.comment),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "*" + _md("; ".join(measure_names(table)))]
    if table.footnotes:
        lines += ["", "**Explanations**", ""]
        lines += [f"{f.letter}. {_md(f.text)}" for f in table.footnotes]
    return "\n".join(lines) + "\n"


CSV_COLUMNS = (
    "outcome",
    "studies",
    "design",
    "participants",
    "intervention",
    "comparator",
    "relative_effect",
    "absolute_effect",
    "risk_of_bias",
    "inconsistency",
    "indirectness",
    "imprecision",
    "publication_bias",
    "other_considerations",
    "certainty",
    "importance",
    "footnotes",
    "comment",
)


def _csv_row(row: SofRow, table: SofTable) -> list[str]:
    a, ev = row.assessment, row.assessment.evidence
    by_letter = {f.letter: f.text for f in table.footnotes}
    every = (
        *row.outcome_letters,
        *row.certainty_letters,
        *row.relative_letters,
        *row.absolute_letters,
    )
    notes = " ".join(f"{x}. {by_letter[x]}" for x in dict.fromkeys(every))
    return [
        row.outcome_text,
        str(ev.studies),
        ev.design.value,
        str(ev.participants),
        arm_text(ev.intervention, ev.kind),
        arm_text(ev.comparator, ev.kind),
        row.relative_text,
        absolute_summary(row),
        *(d.rating_label(a.judgment(d).rating) for d in Domain),
        other_considerations(row),
        a.certainty.label,
        a.importance.value,
        notes,
        row.comment,
    ]


def sof_csv(table: SofTable) -> str:
    """One line per outcome, every domain's rating and the footnotes in full."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in table.rows:
        writer.writerow([spreadsheet_safe(v) for v in _csv_row(row, table)])
    return out.getvalue()


def _effect_json(effect: EffectEstimate | None) -> dict[str, Any] | None:
    if effect is None:
        return None
    return {
        "measure": effect.measure.value,
        "estimate": effect.estimate,
        "ci_low": effect.ci_low,
        "ci_high": effect.ci_high,
        "k": effect.k,
        "i2": effect.i2,
        "tau2": effect.tau2,
        "pi_low": effect.pi_low,
        "pi_high": effect.pi_high,
        "method": effect.method,
    }


def _suggestion_json(s: Suggestion | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "rating": s.rating.label,
        "explanation": s.explanation,
        "rules": list(s.rules),
        "inputs": dict(s.inputs),
    }


def _judgment_json(j: DomainJudgment, row: SofRow) -> dict[str, Any]:
    return {
        "rating": j.rating.label,
        "levels": int(j.rating),
        "reason": j.reason,
        "footnotes": list(row.letters_for(j.domain)),
        "suggestion": _suggestion_json(j.suggestion),
        "overrides_suggestion": j.overrides_suggestion,
    }


def _absolute_json(e: AbsoluteEffect) -> dict[str, Any]:
    return {
        "label": e.label,
        "per": e.per,
        "comparator_risk": e.comparator_risk,
        "intervention_risk": e.intervention_risk,
        "difference": e.difference,
        "difference_low": e.difference_low,
        "difference_high": e.difference_high,
        "source": e.source,
        "text": e.text,
    }


def _row_json(row: SofRow) -> dict[str, Any]:
    a, ev = row.assessment, row.assessment.evidence
    return {
        "outcome": ev.outcome,
        "comparison": a.comparison,
        "kind": ev.kind.value,
        "follow_up": ev.follow_up,
        "design": ev.design.value,
        "studies": ev.studies,
        "participants": ev.participants,
        "intervention": {"events": ev.intervention.events, "total": ev.intervention.total},
        "comparator": {"events": ev.comparator.events, "total": ev.comparator.total},
        "relative_effect": _effect_json(ev.relative),
        "risk_difference": _effect_json(ev.risk_difference),
        "relative_text": row.relative_text,
        "absolute_effects": [_absolute_json(e) for e in row.absolute],
        "absolute_text": absolute_summary(row),
        "domains": {j.domain.value: _judgment_json(j, row) for j in a.judgments},
        "upgrades": [
            {"factor": u.factor.value, "levels": u.levels, "reason": u.reason} for u in a.upgrades
        ],
        "certainty": {
            "level": a.certainty.label,
            "symbol": a.certainty.symbol,
            "footnotes": list(row.certainty_letters),
        },
        "importance": a.importance.value,
        "comment": row.comment,
        "footnotes": {
            "outcome": list(row.outcome_letters),
            "relative_effect": list(row.relative_letters),
            "absolute_effect": list(row.absolute_letters),
        },
    }


def sof_json(table: SofTable) -> str:
    """The table with every judgment, suggestion (and its inputs) and footnote, as JSON."""
    h = table.header
    doc = {
        "title": h.title,
        "population": h.population,
        "setting": h.setting,
        "intervention": h.intervention,
        "comparison": h.comparison,
        "per": h.per,
        "outcomes": [_row_json(r) for r in table.rows],
        "footnotes": [{"letter": f.letter, "text": f.text} for f in table.footnotes],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
