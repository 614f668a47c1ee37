"""The methods summary: short paragraphs written from what evidens knows of the review.

Each paragraph is only written when its facts are known, so the summary never claims a
method that was not recorded; whatever is missing stays for the authors (and shows as blank
in the PRISMA checklist). ``labels`` maps a table/figure key to its number ("Table 1").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from evidens.core import Protocol, SourceKind, Stage
from evidens.report.inputs import ReportInputs, SearchLog
from evidens.report.model import Section
from evidens.report.network_section import network_paragraphs
from evidens.report.synthesis_methods import synthesis_paragraphs
from evidens.rob.instrument import get_instrument

_STAGE_WORDS = {Stage.TITLE_ABSTRACT: "titles and abstracts", Stage.FULL_TEXT: "full texts"}


def _join(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _refer(labels: Mapping[str, str], key: str) -> str:
    return f" ({labels[key]})" if key in labels else ""


def _question(p: Protocol) -> Section | None:
    paragraphs = []
    if p.question:
        paragraphs.append(f"Review question: {p.question}")
    pico = [
        ("Population", p.pico.population),
        ("Intervention", p.pico.intervention),
        ("Comparator", p.pico.comparator),
        ("Outcomes", p.pico.outcomes),
    ]
    paragraphs += [f"{k}: {v}" for k, v in pico if v]
    if p.study_designs:
        paragraphs.append(f"Study designs: {_join(list(p.study_designs))}.")
    if p.inclusion_criteria:
        paragraphs.append("Included: " + "; ".join(p.inclusion_criteria) + ".")
    if p.exclusion_criteria:
        paragraphs.append("Excluded: " + "; ".join(p.exclusion_criteria) + ".")
    if p.languages:
        paragraphs.append(f"Languages: {_join(list(p.languages))}.")
    if p.outcomes:
        outcomes = [f"{o.name} ({o.role}, {o.importance})" for o in p.outcomes]
        paragraphs.append("Outcomes sought: " + "; ".join(outcomes) + ".")
    if not paragraphs:
        return None
    return Section("question", "Review question and eligibility", tuple(paragraphs))


def _named(logs: Sequence[SearchLog], kind: SourceKind) -> list[str]:
    out = []
    for log in logs:
        if log.kind is kind:
            s = log.search
            via = f" via {s.platform}" if s.platform and s.platform != s.source else ""
            out.append(f"{s.source}{via}")
    return out


def _sources(inputs: ReportInputs, labels: Mapping[str, str]) -> Section | None:
    logs, paragraphs = inputs.searches, []
    if logs:
        databases = _named(logs, SourceKind.DATABASE)
        registers = _named(logs, SourceKind.REGISTER)
        other = _named(logs, SourceKind.OTHER)
        parts = [
            f"{len(databases)} database(s) ({'; '.join(databases)})" if databases else "",
            f"{len(registers)} trial register(s) ({'; '.join(registers)})" if registers else "",
            f"{len(other)} other source(s) ({'; '.join(other)})" if other else "",
        ]
        paragraphs.append(f"We searched {_join(parts)}.")
        dates = sorted({log.search.date_run for log in logs if log.search.date_run})
        if dates:
            when = dates[0].isoformat() if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
            paragraphs.append(f"Searches were run on {when}.")
        paragraphs.append(
            "The full strategy for every source, as run, is given with its date and number "
            f"of hits{_refer(labels, 'searches')}."
        )
    if inputs.imports:
        total = sum(log.records for log in inputs.imports)
        warned = sum(len(log.warnings) for log in inputs.imports)
        warnings = f"{warned} import warning(s)" if warned else "no import warnings"
        paragraphs.append(
            f"Search results were imported from {len(inputs.imports)} export file(s), "
            f"{total} records before de-duplication, with {warnings}; each file's records "
            f"and warnings are listed{_refer(labels, 'imports')}."
        )
    if inputs.methods.dedup_method:
        paragraphs.append(f"Duplicate records were removed: {inputs.methods.dedup_method}.")
    if not paragraphs:
        return None
    return Section("sources", "Information sources and searches", tuple(paragraphs))


def _selection(inputs: ReportInputs, labels: Mapping[str, str]) -> Section | None:
    m, paragraphs = inputs.methods, []
    per_stage = [
        f"{_STAGE_WORDS[Stage(stage)]} by {n} reviewer(s) independently"
        for stage, n in m.screening_reviewers.items()
        if n > 0
    ]
    if per_stage:
        paragraphs.append(f"Records were screened: {_join(per_stage)}.")
    if m.disagreements:
        paragraphs.append(f"Disagreements were resolved {m.disagreements}.")
    if m.automation:
        paragraphs.append(f"Automation tools: {m.automation}.")
    if inputs.prisma is not None:
        paragraphs.append(f"The flow of records is shown{_refer(labels, 'prisma')}.")
    paragraphs += _listed(inputs, labels)
    if not paragraphs:
        return None
    return Section("selection", "Selection process", tuple(paragraphs))


def _listed(inputs: ReportInputs, labels: Mapping[str, str]) -> list[str]:
    """Where reports not retrieved and full texts excluded are listed, or, when their
    counts were reported from outside evidens, that they cannot be."""
    paragraphs = []
    if inputs.not_retrieved:
        paragraphs.append(
            "Reports sought but not retrieved are listed with the reason"
            f"{_refer(labels, 'not-retrieved')}."
        )
    if inputs.excluded:
        paragraphs.append(
            "Full texts excluded are cited with the reason for each exclusion"
            f"{_refer(labels, 'excluded')}."
        )
    counts = inputs.prisma.counts if inputs.prisma is not None else None
    if counts is None:
        return paragraphs
    if inputs.not_retrieved is None and counts.reports_not_retrieved:
        paragraphs.append(
            f"The {counts.reports_not_retrieved} reports not retrieved are a count reported "
            "from outside evidens: they were not recorded one by one, so they are not listed."
        )
    if inputs.excluded is None and counts.reports_excluded_total:
        paragraphs.append(
            f"The {counts.reports_excluded_total} full-text exclusions are counts reported "
            "from outside evidens: the excluded reports were not recorded one by one, so "
            "they are not listed here."
        )
    return paragraphs


def _collection(inputs: ReportInputs, labels: Mapping[str, str]) -> Section | None:
    paragraphs = []
    n = inputs.methods.extraction_reviewers
    if n:
        paragraphs.append(f"Data were extracted by {n} reviewer(s) independently on one form.")
    if inputs.characteristics:
        columns = _join([c.lower() for c in inputs.characteristics[0] if c != "Study"])
        paragraphs.append(f"Data items: {columns}{_refer(labels, 'characteristics')}.")
    if not paragraphs:
        return None
    return Section("collection", "Data collection", tuple(paragraphs))


def _rob(inputs: ReportInputs, labels: Mapping[str, str]) -> Section | None:
    if not inputs.rob_results:
        return None
    tools = sorted({get_instrument(r.assessment.instrument).name for r in inputs.rob_results})
    text = f"Risk of bias was assessed with {_join(tools)}"
    n = inputs.methods.rob_reviewers
    text += f" by {n} reviewer(s) independently." if n else "."
    text += (
        " Domain judgments were proposed by the tool's algorithm from the signalling "
        f"questions; results are shown{_refer(labels, 'rob')}."
    )
    return Section("rob", "Risk of bias", (text,))


def _synthesis(inputs: ReportInputs, labels: Mapping[str, str]) -> Section | None:
    paragraphs = []
    if inputs.methods.synthesis:
        paragraphs.append(inputs.methods.synthesis.rstrip(".") + ".")
    paragraphs += synthesis_paragraphs(inputs.analyses, labels)
    paragraphs += network_paragraphs(inputs.networks)
    forests = [labels[k] for k in labels if k.startswith("forest:")]
    if forests:
        paragraphs.append(f"Forest plots: {_join(forests)}.")
    if inputs.methods.reporting_bias:
        paragraphs.append(f"Reporting bias: {inputs.methods.reporting_bias.rstrip('.')}.")
    if not paragraphs:
        return None
    return Section("synthesis", "Synthesis", tuple(paragraphs))


def _certainty(inputs: ReportInputs, labels: Mapping[str, str]) -> Section | None:
    if inputs.sof is None:
        return None
    text = (
        "The certainty of the evidence per outcome was rated with GRADE (risk of bias, "
        "inconsistency, indirectness, imprecision, publication bias), starting high for "
        f"randomized trials; the summary of findings is given{_refer(labels, 'sof')}."
    )
    return Section("certainty", "Certainty of the evidence", (text,))


def _other(inputs: ReportInputs) -> Section | None:
    paragraphs = []
    p = inputs.protocol
    if p is not None and p.registration:
        paragraphs.append(f"Registration: {p.registration}.")
    if inputs.methods.software:
        used = [f"{name} {version}".strip() for name, version in inputs.methods.software]
        paragraphs.append(f"Software: {_join(used)}.")
    if not paragraphs:
        return None
    return Section("other", "Registration and software", tuple(paragraphs))


def methods_sections(inputs: ReportInputs, labels: Mapping[str, str]) -> tuple[Section, ...]:
    """Every methods section evidens can write for these inputs, in PRISMA order."""
    found = [
        _question(inputs.protocol) if inputs.protocol is not None else None,
        _sources(inputs, labels),
        _selection(inputs, labels),
        _collection(inputs, labels),
        _rob(inputs, labels),
        _synthesis(inputs, labels),
        _certainty(inputs, labels),
        _other(inputs),
    ]
    return tuple(s for s in found if s is not None)
