"""The Summary of Findings table and the evidence profile as plain data, ready to render.

Building the table once and rendering it many ways (HTML, DOCX, Markdown, CSV, JSON) keeps
every output saying the same thing with the same footnote letters. Letters are given in
order of first appearance, walking each outcome's domains (GRADE's order), then its
upgrades, then the notes on its relative and absolute effects; identical texts share a
letter, as the seed's Table 4 shares a-d across its four outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evidens.core import OutcomeKind
from evidens.grade.absolute import AbsoluteEffect, from_relative, from_risk_difference, span_text
from evidens.grade.inputs import (
    ArmTotals,
    BaselineRisk,
    EffectEstimate,
    Measure,
    OutcomeEvidence,
    StudyDesign,
)
from evidens.grade.model import (
    CertaintyAssessment,
    Domain,
    DomainJudgment,
    sentence,
)

STUDY_POPULATION = "Study population"
_LEVELS = {1: "one level", 2: "two levels", 3: "three levels"}


@dataclass(frozen=True)
class SofHeader:
    """The title block: '[Intervention] compared to [comparator] for [condition]'."""

    title: str
    population: str = ""
    setting: str = ""
    intervention: str = ""
    comparison: str = ""
    intervention_short: str = "Intervention"
    comparison_short: str = "Comparator"
    per: int = 1000


@dataclass(frozen=True)
class Footnote:
    letter: str
    text: str


@dataclass(frozen=True)
class SofRow:
    """One outcome's cells, already worded, with the footnote letters each cell carries."""

    assessment: CertaintyAssessment
    outcome_text: str
    participants_text: str
    relative_text: str
    absolute: tuple[AbsoluteEffect, ...]
    certainty_text: str
    domain_letters: tuple[tuple[Domain, tuple[str, ...]], ...]
    upgrade_letters: tuple[str, ...]
    outcome_letters: tuple[str, ...]
    relative_letters: tuple[str, ...]
    absolute_letters: tuple[str, ...]
    comment: str

    def letters_for(self, domain: Domain) -> tuple[str, ...]:
        return dict(self.domain_letters).get(domain, ())

    @property
    def certainty_letters(self) -> tuple[str, ...]:
        """Every letter that explains the certainty rating (domains, then upgrades)."""
        letters = [x for _, found in self.domain_letters for x in found]
        return tuple(letters) + self.upgrade_letters


@dataclass(frozen=True)
class SofTable:
    header: SofHeader
    rows: tuple[SofRow, ...]
    footnotes: tuple[Footnote, ...]


def _letter(index: int) -> str:
    """a..z, then aa, ab, ... so a long table never runs out of letters."""
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    if index < 26:
        return alphabet[index]
    return _letter(index // 26 - 1) + alphabet[index % 26]


class _Lettering:
    def __init__(self) -> None:
        self.by_text: dict[str, str] = {}

    def mark(self, *texts: str) -> tuple[str, ...]:
        letters = []
        for text in texts:
            clean = sentence(text)
            if not clean:
                continue
            if clean not in self.by_text:
                self.by_text[clean] = _letter(len(self.by_text))
            letters.append(self.by_text[clean])
        return tuple(dict.fromkeys(letters))

    def footnotes(self) -> tuple[Footnote, ...]:
        return tuple(Footnote(letter, text) for text, letter in self.by_text.items())


def domain_footnote(judgment: DomainJudgment) -> str:
    """'Risk of bias: rated down one level. <reason>' - domain-named, as Santesso et al.
    (2016) advise; a reason given for a 'not serious' judgment is kept too."""
    reason = judgment.reason.strip()
    if not reason:
        return ""
    if not judgment.rating:
        return f"{judgment.domain.label}: not rated down. {reason}"
    return f"{judgment.domain.label}: rated down {_LEVELS[int(judgment.rating)]}. {reason}"


def baselines_for(assessment: CertaintyAssessment) -> tuple[BaselineRisk, ...]:
    """The control arms' observed risk (GRADEpro's 'study population'), then user-set risks."""
    found: list[BaselineRisk] = []
    risk = assessment.evidence.comparator.risk
    if assessment.evidence.kind is not OutcomeKind.CONTINUOUS and risk is not None:
        found.append(BaselineRisk(STUDY_POPULATION, risk, "control arms of the included studies"))
    return (*found, *assessment.baseline_risks)


def absolute_effects(
    ev: OutcomeEvidence, baselines: Sequence[BaselineRisk], per: int = 1000
) -> tuple[AbsoluteEffect, ...]:
    """Per baseline risk: from the relative effect where it can speak to that risk, from the
    risk difference where it cannot (not estimable, or a comparator risk of zero)."""
    rel, rd = ev.relative, ev.risk_difference
    results = []
    for base in baselines:
        usable_rel = rel is not None and rel.estimable and rel.measure.is_ratio and base.risk > 0
        if usable_rel and rel is not None:
            results.append(from_relative(rel, base, per))
        elif rd is not None and rd.estimable:
            results.append(from_risk_difference(rd, base, per))
        elif rel is not None:
            results.append(from_relative(rel, base, per))
    return tuple(results)


def _absolute_note(ev: OutcomeEvidence, effects: Sequence[AbsoluteEffect]) -> str:
    if not any(e.source == "risk difference" and e.estimable for e in effects):
        return ""
    why = (
        "the comparator group had no events, so any ratio applied to its risk gives zero"
        if ev.comparator.events == 0
        else "the relative effect is not estimable"
    )
    method = ev.risk_difference.method if ev.risk_difference else ""
    detail = f" ({method})" if method else ""
    return f"Absolute effect taken from the risk difference{detail}, because {why}."


def number(value: float) -> str:
    """Two decimals, as SoF tables print relative effects and mean differences."""
    return f"{value:.2f}"


def relative_text(effect: EffectEstimate | None) -> str:
    if effect is None or not effect.estimable or not effect.measure.is_ratio:
        return "not estimable"
    est, low, high = effect.values()
    return f"{effect.measure} {number(est)} ({number(low)} to {number(high)})"


def continuous_text(effect: EffectEstimate | None, scale: str) -> str:
    """'MD 2.10 higher (0.40 lower to 4.60 higher)' for MD/SMD, else 'not estimable'."""
    if effect is None or not effect.estimable or effect.measure.is_ratio:
        return "not estimable"
    est, low, high = effect.values()
    unit = f" {scale}" if scale else ""
    direction = "higher" if est >= 0 else "lower"
    span = span_text(low, high, "{:.2f}").replace("more", "higher").replace("fewer", "lower")
    return f"{effect.measure} {abs(est):.2f}{unit} {direction} ({span})"


def participants_text(ev: OutcomeEvidence) -> str:
    if ev.design is StudyDesign.RANDOMIZED:
        kind = "RCT" if ev.studies == 1 else "RCTs"
    else:
        kind = "observational study" if ev.studies == 1 else "observational studies"
    return f"{ev.participants} ({ev.studies} {kind})"


def arm_text(arm: ArmTotals, kind: OutcomeKind) -> str:
    """'9/46 (19.6%)' for events, or the number of participants otherwise (seed Table 4)."""
    if kind is OutcomeKind.BINARY and arm.events is not None and arm.total:
        return f"{arm.events}/{arm.total} ({arm.events / arm.total:.1%})"
    return str(arm.total)


def outcome_text(ev: OutcomeEvidence) -> str:
    parts = [ev.outcome]
    if ev.scale:
        parts.append(f"assessed with: {ev.scale}")
    if ev.follow_up:
        parts.append(f"follow-up: {ev.follow_up}")
    return "; ".join(parts)


def _row(assessment: CertaintyAssessment, lettering: _Lettering, per: int) -> SofRow:
    ev = assessment.evidence
    domain_letters = tuple(
        (j.domain, lettering.mark(domain_footnote(j)))
        for j in sorted(assessment.judgments, key=lambda j: list(Domain).index(j.domain))
    )
    upgrade_letters = lettering.mark(
        *(
            f"Rated up {_LEVELS[u.levels]} for {u.factor.label.lower()}. {u.reason}"
            for u in assessment.upgrades
            if u.levels
        )
    )
    outcome_letters = lettering.mark(*assessment.notes)
    relative_letters = lettering.mark(ev.relative.method if ev.relative else "")
    effects = absolute_effects(ev, baselines_for(assessment), per)
    absolute_letters = lettering.mark(_absolute_note(ev, effects))
    certainty = assessment.certainty
    continuous = ev.kind is OutcomeKind.CONTINUOUS
    return SofRow(
        assessment=assessment,
        outcome_text=outcome_text(ev),
        participants_text=participants_text(ev),
        relative_text="–" if continuous else relative_text(ev.relative),
        absolute=effects,
        certainty_text=f"{certainty.symbol} {certainty.label}",
        domain_letters=domain_letters,
        upgrade_letters=upgrade_letters,
        outcome_letters=outcome_letters,
        relative_letters=relative_letters,
        absolute_letters=absolute_letters,
        comment=assessment.comment,
    )


def build_sof(header: SofHeader, assessments: Sequence[CertaintyAssessment]) -> SofTable:
    """The whole table: rows in the given order, footnotes lettered across all of them."""
    lettering = _Lettering()
    rows = tuple(_row(a, lettering, header.per) for a in assessments)
    return SofTable(header, rows, lettering.footnotes())


def absolute_summary(row: SofRow) -> str:
    """The anticipated absolute effect in one line (for CSV, Markdown and the profile)."""
    ev = row.assessment.evidence
    if ev.kind is OutcomeKind.CONTINUOUS:
        return continuous_text(ev.relative, ev.scale)
    if not row.absolute:
        return "not estimable"
    return "; ".join(f"{a.label}: {a.text}" for a in row.absolute)


def comparator_risk_text(effect: AbsoluteEffect) -> str:
    return f"{effect.comparator_risk} per {effect.per}"


def measure_names(table: SofTable) -> tuple[str, ...]:
    """Abbreviations used, for the table's footer."""
    names = {"CI": "confidence interval"}
    long = {
        Measure.RR: "risk ratio",
        Measure.OR: "odds ratio",
        Measure.HR: "hazard ratio",
        Measure.RD: "risk difference",
        Measure.MD: "mean difference",
        Measure.SMD: "standardized mean difference",
    }
    for row in table.rows:
        for effect in (row.assessment.evidence.relative, row.assessment.evidence.risk_difference):
            if effect is not None:
                names[effect.measure.value] = long[effect.measure]
    return tuple(f"{k}: {v}" for k, v in names.items())
