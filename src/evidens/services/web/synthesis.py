"""What the synthesis, GRADE and outputs pages read: each analysis with its fitted summary,
each GRADE domain's suggestion and its inputs beside the judgment, and the figures and files
to download. Changes go through :mod:`evidens.services.synthesis` (one audited transaction
each); this module only shapes what they keep for a page.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from evidens.errors import EvidensError, NotFoundError, ValidationError
from evidens.extraction import outcome_data
from evidens.grade import run_outputs
from evidens.report.forest import forest_plot
from evidens.report.funnel import funnel_plot
from evidens.report.rob_plots import rob_outputs
from evidens.services.assessment.extraction import consensus_in
from evidens.services.assessment.risk_of_bias import rob_results_in
from evidens.services.reporting.exports import export_records
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.services.synthesis import analyses, grade_profiles

READER = "evidens web"
MEASURES = ("RR", "OR", "RD", "PETO", "MD", "SMD")
PRESET_NAMES = {"metafor": "metafor", "revman": "RevMan 5"}
FIGURES = ("forest", "funnel")


def _summary(data: dict[str, Any]) -> dict[str, Any]:
    """The pooled effect a list shows: random effects (or fixed), back-transformed."""
    pooled = data.get("random") or data.get("fixed") or {}
    exp = "exp_estimate" in pooled and pooled.get("exp_estimate") is not None
    keys = ("exp_estimate", "exp_ci_lb", "exp_ci_ub") if exp else ("estimate", "ci_lb", "ci_ub")
    heterogeneity = data.get("heterogeneity") or {}
    return {
        "k": data.get("k", 0),
        "estimate": pooled.get(keys[0]),
        "ci_low": pooled.get(keys[1]),
        "ci_high": pooled.get(keys[2]),
        "i2": heterogeneity.get("I2"),
        "methods": str((data.get("methods") or {}).get("text", "")),
        "warnings": list(data.get("warnings") or []),
    }


def analyses_view(store: ReviewStore) -> dict[str, Any]:
    """Every analysis with its fitted summary (or why it cannot be fitted), and the outcomes
    with agreed arm data that a new analysis may name."""
    with transaction(store, READER) as uow:
        specs = analyses.analysis_specs(uow)
        consensus = consensus_in(uow)
    items = []
    for spec in specs:
        item: dict[str, Any] = {"spec": spec, "name": spec["name"], "summary": None, "error": ""}
        try:
            fitted = analyses.fit_analyses([spec], consensus, where="the review's analyses")
            item["summary"] = _summary(fitted[spec["name"]][1])
        except EvidensError as exc:
            item["error"] = str(exc)
        items.append(item)
    outcomes = sorted(outcome_data(consensus))
    return {"analyses": items, "outcomes": outcomes, "measures": MEASURES, "presets": PRESET_NAMES}


def define_analysis(store: ReviewStore, spec: dict[str, Any], *, actor: str) -> None:
    """Define an analysis; one that cannot be fitted on the agreed data is refused whole."""
    with transaction(store, actor) as uow:
        analyses.add_analysis(uow, spec)
        analyses.fit_analyses([spec], consensus_in(uow), where="the new analysis")


def remove_analysis(store: ReviewStore, name: str, *, actor: str) -> None:
    with transaction(store, actor) as uow:
        analyses.remove_analysis(uow, name)


def analysis_figure(store: ReviewStore, name: str, figure: str) -> bytes:
    """The forest plot (with each study's RoB 2 judgments) or funnel plot as SVG."""
    if figure not in FIGURES:
        raise NotFoundError(f"no figure {figure!r}", hint="forest or funnel")
    with transaction(store, READER) as uow:
        specs = {s["name"]: s for s in analyses.analysis_specs(uow)}
        if name not in specs:
            raise NotFoundError(f"no analysis named {name!r}")
        fitted = analyses.fit_analyses([specs[name]], consensus_in(uow), where="the analysis")
        rob = analyses.rob_columns(rob_results_in(uow))
    result, data = fitted[name]
    if figure == "funnel":
        return funnel_plot(result, format="svg")
    labels = [str(s.get("label", "")) for s in data.get("studies", [])]
    columns = {k: v for k, v in rob.items() if k in labels} or None
    given = specs[name].get("labels", ("Favours experimental", "Favours control"))
    return forest_plot(result, format="svg", rob=columns, labels=(str(given[0]), str(given[1])))


def _domain(judgment: Any) -> dict[str, Any]:
    suggestion = judgment.suggestion
    return {
        "domain": judgment.domain.value,
        "label": judgment.domain.label,
        "rating": judgment.domain.rating_label(judgment.rating),
        "reason": judgment.reason,
        "suggested": None
        if suggestion is None
        else {
            "rating": judgment.domain.rating_label(suggestion.rating),
            "explanation": suggestion.explanation,
            "inputs": [{"name": k, "value": v} for k, v in suggestion.inputs],
        },
    }


def grade_view(store: ReviewStore) -> dict[str, Any]:
    """Each outcome's certainty and its five domains, the judgment beside the suggestion."""
    with transaction(store, READER) as uow:
        grade = grade_profiles.grade_in(uow)
        names = analyses.analysis_names(uow)
        names += [EXTRACTION + o for o in sorted(outcome_data(consensus_in(uow)))]
        doc = grade_profiles.profile_doc(uow) or {}
    header = {k: doc.get(k, "") for k in (*HEADER, "per")}
    if grade is None:
        return {"started": False, "title": "", "outcomes": [], "analyses": names}
    outcomes = [
        {
            "name": a.evidence.outcome,
            "importance": a.importance.value,
            "certainty": a.certainty.name.replace("_", " ").capitalize(),
            "domains": [_domain(j) for j in a.judgments],
            **_details(doc, a.evidence.outcome),
        }
        for a in grade.assessments
    ]
    return {
        "started": True,
        "title": grade.header.title,
        "header": header,
        "outcomes": outcomes,
        "analyses": names,
    }


def _details(doc: dict[str, Any], name: str) -> dict[str, Any]:
    item: dict[str, Any] = next((o for o in doc.get("outcomes", []) if o.get("name") == name), {})
    return {
        "follow_up": str(item.get("follow_up", "")),
        "comment": str(item.get("comment", "")),
        "notes": [str(n) for n in item.get("notes", [])],
    }


def _suggestions(uow: UnitOfWork, doc: dict[str, Any], outcome: str) -> dict[str, Any]:
    """Domain -> the suggestion the review's numbers give ``outcome`` under ``doc`` (a
    judgments document not stored yet, or the stored one), as the store derives them."""
    from evidens.grade.judgments import judgments_from_mapping

    grade = judgments_from_mapping(grade_profiles.derived_doc(uow, doc, "GRADE"), path="GRADE")
    for assessment in grade.assessments:
        if assessment.evidence.outcome == outcome:
            return {j.domain.value: j.suggestion for j in assessment.judgments if j.suggestion}
    return {}


def judge(
    store: ReviewStore, outcome: str, domain: str, rating: str, reason: str, *, actor: str
) -> None:
    """One domain's rating and reason, checked (on the review's numbers) and audited.
    "accept" is kept as the suggestion's rating, its explanation the reason where none is
    given, so the page shows why the rating stands."""
    with transaction(store, actor) as uow:
        if rating == "accept":
            doc = grade_profiles.profile_doc(uow) or {}
            suggestion = _suggestions(uow, doc, outcome).get(domain)
            if suggestion is None:
                raise ValidationError(
                    f"there is no suggestion to accept for {domain}", field="rating"
                )
            rating, reason = suggestion.rating.label, reason or suggestion.explanation
        grade_profiles.set_judgment(uow, outcome, domain, rating, reason or None)


EXTRACTION = "extraction:"
"""A GRADE outcome's source that is an extraction outcome with no analysis (not estimable)."""
HEADER = (
    "title",
    "population",
    "setting",
    "intervention",
    "comparison",
    "intervention_short",
    "comparison_short",
)
KINDS = ("binary", "continuous", "time_to_event")


def add_grade_outcome(
    store: ReviewStore,
    analysis: str,
    *,
    name: str,
    importance: str,
    indirectness: str,
    reason: str,
    actor: str,
    kind: str = "",
) -> None:
    """Grade one more outcome (starting GRADE if need be) from one of the review's
    analyses, or from an agreed extraction outcome no analysis can estimate
    (``extraction:ID``): indirectness is the assessor's to judge (no number suggests it);
    every other domain starts at its suggestion, with the suggestion's explanation as the
    reason, to be revised on the page. One transaction."""
    with transaction(store, actor) as uow:
        source = _source(uow, analysis)
        doc = grade_profiles.profile_doc(uow) or {"title": _review_title(uow)}
        label = name.strip() or analysis.removeprefix(EXTRACTION)
        if label in [str(o.get("name")) for o in doc.get("outcomes", [])]:
            raise ValidationError(f"{label!r} is graded already", field="name")
        if kind and kind not in KINDS:
            raise ValidationError(f"{kind!r} is not a kind of outcome", field="kind")
        outcome: dict[str, Any] = {
            "name": label,
            **source,
            **({"kind": kind} if kind else {}),
            "importance": importance,
            "indirectness": {"rating": indirectness, **({"reason": reason} if reason else {})},
        }
        others = [d for d in grade_profiles.DOMAINS if d != "indirectness"]
        trial = {d: {"rating": "not serious", "reason": "-"} for d in others}
        draft = {**doc, "outcomes": [*doc.get("outcomes", []), {**outcome, **trial}]}
        for domain, suggestion in _suggestions(uow, draft, label).items():
            if domain != "indirectness":
                outcome[domain] = {
                    "rating": suggestion.rating.label,
                    "reason": suggestion.explanation,
                }
        missing = [d for d in others if d not in outcome]
        if missing:
            raise ValidationError(
                f"the numbers suggest nothing for {', '.join(missing)} of {label!r}",
                field="analysis",
                hint="grade it with evidens grade --load, giving those judgments",
            )
        grade_profiles.set_profile(uow, {**doc, "outcomes": [*doc.get("outcomes", []), outcome]})


def _source(uow: UnitOfWork, analysis: str) -> dict[str, str]:
    """Where an outcome's numbers come from: an analysis, or ``extraction:ID``."""
    if analysis.startswith(EXTRACTION):
        outcome = analysis.removeprefix(EXTRACTION)
        if outcome not in outcome_data(consensus_in(uow)):
            raise ValidationError(f"no agreed data for outcome {outcome!r}", field="analysis")
        return {"extraction_outcome": outcome}
    if analysis not in analyses.analysis_names(uow):
        raise ValidationError(f"no analysis named {analysis!r}", field="analysis")
    return {"analysis": analysis}


def set_header(store: ReviewStore, given: dict[str, str], per: str, *, actor: str) -> None:
    """The Summary of Findings table's header (title, PICO, short names, "per")."""
    try:
        number = int(per.strip() or "1000")
    except ValueError:
        raise ValidationError(f"{per[:20]!r} is not a whole number", field="per") from None
    with transaction(store, actor) as uow:
        doc = _started(uow)
        header = {k: v.strip()[:2000] for k in HEADER if (v := given.get(k, "")).strip()}
        if "title" not in header:
            raise ValidationError("give the table a title", field="title")
        kept = {k: v for k, v in doc.items() if k not in (*HEADER, "per")}
        grade_profiles.set_profile(uow, {**header, "per": number, **kept})


def set_details(
    store: ReviewStore, outcome: str, *, follow_up: str, comment: str, notes: str, actor: str
) -> None:
    """One outcome's follow-up, comment and notes (one note a line) as the table shows them."""
    with transaction(store, actor) as uow:
        doc = _started(uow)
        outcomes = [dict(o) for o in doc.get("outcomes", [])]
        item = next((o for o in outcomes if o.get("name") == outcome), None)
        if item is None:
            raise ValidationError(f"no outcome named {outcome!r}", field="outcome")
        typed = {
            "follow_up": follow_up.strip()[:200],
            "comment": comment.strip()[:2000],
            "notes": [line.strip()[:2000] for line in notes.splitlines() if line.strip()],
        }
        for key, value in typed.items():
            item.pop(key, None)
            if value:
                item[key] = value
        grade_profiles.set_profile(uow, {**doc, "outcomes": outcomes})


def _started(uow: UnitOfWork) -> dict[str, Any]:
    doc = grade_profiles.profile_doc(uow)
    if doc is None:
        raise ValidationError("GRADE has not been started", hint="grade an outcome first")
    return doc


def _review_title(uow: UnitOfWork) -> str:
    from evidens.services.review.settings import review_settings

    return review_settings(uow).protocol.title or "Summary of findings"


def sof_file(store: ReviewStore, name: str) -> bytes:
    """``sof.docx``, ``sof.html``, ``sof.json`` or ``evidence-profile.html``."""
    with transaction(store, READER) as uow:
        grade = grade_profiles.grade_in(uow)
    if grade is None:
        raise NotFoundError("GRADE has not been started in this review")
    files = run_outputs(grade.table)
    if name not in files:
        raise NotFoundError(f"no Summary of Findings file {name!r}", hint=", ".join(files))
    return files[name]


def rob_figure(store: ReviewStore, name: str) -> bytes:
    """The risk-of-bias traffic-light or summary plot (``rob-*.svg``)."""
    with transaction(store, READER) as uow:
        results = rob_results_in(uow)
    files = rob_outputs(results) if results else {}
    if name not in files:
        raise NotFoundError(f"no risk-of-bias figure {name!r}", hint="assess a study first")
    return files[name]


def records_file(store: ReviewStore, fmt: str) -> bytes:
    """The de-duplicated records as RIS, or as CSV with each stage's status and decision."""
    if fmt not in ("ris", "csv"):
        raise ValidationError(f"{fmt!r} is not an export format", hint="ris or csv")
    with tempfile.TemporaryDirectory(prefix="evidens-export-") as folder:
        path = Path(folder) / f"records.{fmt}"
        export_records(store, path)
        return path.read_bytes()
