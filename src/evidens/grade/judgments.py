"""Load a GRADE judgments file (TOML) into a Summary of Findings table.

A judgments file is how GRADE is kept beside a review as text: the table header, the
studies' risk-of-bias judgments, defaults shared by every outcome, and per outcome its data
and the assessor's five domain judgments. Suggestions are computed from the same data when
the file is loaded, so every judgment is stored beside what the numbers suggested; a rating
of ``"accept"`` takes the suggestion. Format (all keys optional unless marked)::

    title = "MAD plus antiepileptics compared to antiepileptics for RISS"   # required
    population = "..."; setting = "..."; intervention = "..."; comparison = "..."
    intervention_short = "MAD"; comparison_short = "AE"; per = 1000

    rob = [{ study = "Sharma 2021", overall = "high", weight = 1.0 }]   # or per outcome
    [thresholds]            # imprecision: absolute_per_1000 = [-20, 20], mid, ois_rrr, ...

    [all_outcomes.risk_of_bias]     # a default judgment for every outcome
    rating = "serious"              # not serious | serious | very serious | accept
    reason = "..."                  # becomes the footnote

    [[outcomes]]
    name = "Spasm free"             # required
    # in a review folder, instead of studies, intervention, comparator, relative and rob:
    # analysis = "spasm-free-rr" (an [[analysis]] of review.toml), or with no analysis
    # extraction_outcome = "days_to_spasm_cessation"; see evidens.services.synthesis.grading
    kind = "binary"                 # binary | continuous | time_to_event
    design = "randomized"           # or non_randomized, non_randomized_robins_i
    studies = 1; follow_up = "4 weeks"; importance = "critical"; comment = "..."
    intervention = { events = 11, total = 46 }   # required; mean = ... for continuous
    comparator = { events = 0, total = 45 }      # required
    relative = { measure = "RR" }   # single study: computed from the counts; else give
                                    # estimate, ci_low, ci_high, i2, tau2, pi_low, pi_high,
                                    # q_p, small_study_p, method (from the meta-analysis),
                                    # study_effects = [{ study, estimate, ci_low, ci_high }]
    risk_difference = { ... }       # same keys; single study: computed from the counts
    baseline_risks = [{ label = "High-risk children", risk = 0.2 }]
    notes = ["..."]                 # footnotes on the outcome itself
    upgrades = [{ factor = "large_effect", levels = 1, reason = "..." }]
    [outcomes.imprecision]          # overrides the default for this outcome
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, NoReturn

from evidens.core import OutcomeKind
from evidens.core.toml import parse_toml
from evidens.errors import FormatError, ValidationError
from evidens.grade.absolute import corrected_ratio, wald_risk_difference
from evidens.grade.inputs import (
    ArmTotals,
    BaselineRisk,
    EffectEstimate,
    Measure,
    OutcomeEvidence,
    StudyDesign,
    StudyEffect,
    StudyRob,
)
from evidens.grade.model import (
    CertaintyAssessment,
    Domain,
    DomainJudgment,
    Importance,
    Rating,
    UpgradeFactor,
    UpgradeJudgment,
    accept,
)
from evidens.grade.precision import ImprecisionThresholds
from evidens.grade.sof import SofHeader, SofTable, build_sof
from evidens.grade.suggest import suggest_all
from evidens.rob.model import Judgment

MAX_BYTES = 2_000_000
MAX_OUTCOMES = 50


@dataclass(frozen=True)
class GradeFile:
    """What a judgments file holds: the header, the assessments, and the table built."""

    header: SofHeader
    assessments: tuple[CertaintyAssessment, ...]
    table: SofTable


class _Ctx:
    """Where we are in the file, so every error names path:line:field."""

    def __init__(self, text: str, path: str | None) -> None:
        self.lines = text.splitlines()
        self.path = path

    def line_of(self, needle: str) -> int | None:
        for number, line in enumerate(self.lines, start=1):
            if needle in line:
                return number
        return None

    def error(
        self, message: str, field: str, *, near: str = "", hint: str | None = None
    ) -> NoReturn:
        raise ValidationError(
            message,
            path=self.path,
            line=self.line_of(near) if near else None,
            field=field,
            hint=hint,
        )


def load_judgments(text: str | bytes, *, path: str | None = None) -> GradeFile:
    """Parse a judgments file and build its SoF table; pure (the caller reads the file)."""
    doc, source = parse_judgments(text, path=path)
    return judgments_from_mapping(doc, path=path, text=source)


def parse_judgments(text: str | bytes, *, path: str | None = None) -> tuple[dict[str, Any], str]:
    """A judgments file's TOML as a mapping (and its text, for error lines), bounded."""
    if len(text) > MAX_BYTES:
        raise FormatError(f"judgments file is over {MAX_BYTES} bytes", path=path)
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    return parse_toml(text, path=path, error=FormatError), text


def judgments_from_mapping(
    doc: Mapping[str, Any], *, path: str | None = None, text: str = ""
) -> GradeFile:
    """The same, from an already-parsed mapping (a store row, a web form, a test).

    ``text`` is the source the mapping came from, used only to point errors at a line.
    """
    ctx = _Ctx(text, path)
    header = _header(doc, ctx)
    rob = tuple(_rob(item, i, ctx) for i, item in enumerate(_list(doc, "rob", ctx)))
    thresholds = _thresholds(doc.get("thresholds", {}), ctx)
    defaults = _table(doc, "all_outcomes", ctx)
    outcomes = _list(doc, "outcomes", ctx)
    if not outcomes or len(outcomes) > MAX_OUTCOMES:
        ctx.error(
            f"need 1 to {MAX_OUTCOMES} [[outcomes]] tables, found {len(outcomes)}", "outcomes"
        )
    assessments = tuple(
        _assessment(item, i, defaults, rob, thresholds, ctx) for i, item in enumerate(outcomes)
    )
    return GradeFile(header, assessments, build_sof(header, assessments))


def _list(doc: Mapping[str, Any], key: str, ctx: _Ctx) -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        ctx.error(f"{key} must be a list (use [[{key}]] tables)", key, near=key)
    return list(value)


def _table(doc: Mapping[str, Any], key: str, ctx: _Ctx) -> dict[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        ctx.error(f"{key} must be a table", key, near=key)
    return dict(value)


def _text(doc: Mapping[str, Any], key: str, ctx: _Ctx, where: str, default: str = "") -> str:
    value = doc.get(key, default)
    if not isinstance(value, str):
        ctx.error(f"{key} must be text", f"{where}{key}", near=f"{key} =")
    return str(value)


def _header(doc: Mapping[str, Any], ctx: _Ctx) -> SofHeader:
    title = _text(doc, "title", ctx, "")
    if not title.strip():
        ctx.error("the table needs a title", "title", hint='add title = "X compared to Y for Z"')
    per = doc.get("per", 1000)
    if per not in (100, 1000, 10_000, 100_000):
        ctx.error(f"per must be 100, 1000, 10000 or 100000, not {per!r}", "per", near="per =")
    kwargs = {
        f.name: _text(doc, f.name, ctx, "", str(f.default))
        for f in fields(SofHeader)
        if f.name not in ("title", "per")
    }
    return SofHeader(title=title, per=int(per), **kwargs)


def _rob(item: Any, index: int, ctx: _Ctx) -> StudyRob:
    where = f"rob[{index}]"
    if not isinstance(item, dict) or "study" not in item or "overall" not in item:
        ctx.error("each rob entry needs study and overall", where, near="rob")
    try:  # the RoB 2 package reads the level ("Some concerns", "SC", ...)
        overall = Judgment.parse(str(item["overall"])).to_core()
    except ValidationError:
        overall = None
    if overall is None:
        ctx.error(
            f"unknown overall judgment {item['overall']!r}",
            f"{where}.overall",
            near=str(item["study"]),
            hint="use low, some_concerns or high",
        )
    return StudyRob(str(item["study"]), overall, float(item.get("weight", 1.0)))


def _thresholds(raw: Any, ctx: _Ctx) -> ImprecisionThresholds:
    if not isinstance(raw, dict):
        ctx.error("thresholds must be a table", "thresholds", near="[thresholds]")
    known = {f.name for f in fields(ImprecisionThresholds)}
    unknown = set(raw) - known
    if unknown:
        ctx.error(
            f"unknown threshold(s): {', '.join(sorted(unknown))}",
            "thresholds",
            near="[thresholds]",
            hint=f"known: {', '.join(sorted(known))}",
        )
    values = dict(raw)
    if "absolute_per_1000" in values:
        values["absolute_per_1000"] = tuple(float(x) for x in values["absolute_per_1000"])
    return ImprecisionThresholds(**values)


def _arm(raw: Any, name: str, where: str, ctx: _Ctx, near: str) -> ArmTotals:
    if not isinstance(raw, dict) or not isinstance(raw.get("total"), int) or raw["total"] <= 0:
        ctx.error(
            f"{name} needs a total (participants) above 0",
            f"{where}.{name}",
            near=near,
            hint=f"{name} = {{ events = 9, total = 46 }}",
        )
    events = raw.get("events")
    if events is not None and (not isinstance(events, int) or not 0 <= events <= raw["total"]):
        ctx.error(f"{name} events must lie between 0 and total", f"{where}.{name}", near=near)
    mean = raw.get("mean")
    return ArmTotals(raw["total"], events, None if mean is None else float(mean))


_EFFECT_KEYS = [
    "estimate",
    "ci_low",
    "ci_high",
    "k",
    "participants",
    "events",
    "i2",
    "tau2",
    "pi_low",
    "pi_high",
    "q_p",
    "small_study_p",
]


def _effect(
    raw: Any, ev_counts: tuple[ArmTotals, ArmTotals, int], where: str, ctx: _Ctx, near: str
) -> EffectEstimate | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or "measure" not in raw:
        ctx.error("an effect needs a measure (RR, OR, HR, RD, MD, SMD)", where, near=near)
    try:
        measure = Measure(str(raw["measure"]).upper())
    except ValueError:
        ctx.error(f"unknown measure {raw['measure']!r}", f"{where}.measure", near=near)
    if "estimate" not in raw:
        return _from_counts(measure, ev_counts, where, ctx, near)
    values = {key: raw[key] for key in _EFFECT_KEYS if key in raw}
    per_study = tuple(
        StudyEffect(str(s["study"]), float(s["estimate"]), float(s["ci_low"]), float(s["ci_high"]))
        for s in raw.get("study_effects", [])
    )
    return EffectEstimate(
        measure=measure, method=str(raw.get("method", "")), studies=per_study, **values
    )


def _from_counts(
    measure: Measure, counts: tuple[ArmTotals, ArmTotals, int], where: str, ctx: _Ctx, near: str
) -> EffectEstimate:
    """A single study's effect from its arms; pooled effects must come from the analysis."""
    arm_i, arm_c, studies = counts
    if studies != 1 or arm_i.events is None or arm_c.events is None:
        ctx.error(
            "give estimate, ci_low and ci_high from the meta-analysis",
            where,
            near=near,
            hint="effects are computed from the counts only for a single study's events/total",
        )
    assert arm_i.events is not None
    assert arm_c.events is not None
    args = (arm_i.events, arm_i.total, arm_c.events, arm_c.total)
    if measure is Measure.RD:
        return wald_risk_difference(*args)
    if measure in (Measure.RR, Measure.OR):
        return corrected_ratio(measure, *args)
    return ctx.error(
        f"{measure} cannot be computed from events/total", f"{where}.measure", near=near
    )
    return None


def _evidence(item: Mapping[str, Any], where: str, ctx: _Ctx, near: str) -> OutcomeEvidence:
    try:
        kind = OutcomeKind(str(item.get("kind", "binary")))
        design = StudyDesign(str(item.get("design", "randomized")))
    except ValueError as exc:
        ctx.error(str(exc), where, near=near, hint="see the format in evidens.grade.judgments")
    studies = item.get("studies", 1)
    if not isinstance(studies, int) or studies < 1:
        ctx.error("studies must be a whole number of at least 1", f"{where}.studies", near=near)
    arm_i = _arm(item.get("intervention"), "intervention", where, ctx, near)
    arm_c = _arm(item.get("comparator"), "comparator", where, ctx, near)
    counts = (arm_i, arm_c, studies)
    relative = _effect(item.get("relative"), counts, f"{where}.relative", ctx, near)
    rd_raw = item.get("risk_difference")
    if rd_raw is None and kind is OutcomeKind.BINARY and studies == 1 and arm_c.events is not None:
        rd_raw = {"measure": "RD"}
    rd = _effect(rd_raw, counts, f"{where}.risk_difference", ctx, near)
    return OutcomeEvidence(
        outcome=_text(item, "name", ctx, f"{where}."),
        kind=kind,
        studies=studies,
        intervention=arm_i,
        comparator=arm_c,
        design=design,
        relative=relative,
        risk_difference=rd,
        follow_up=_text(item, "follow_up", ctx, f"{where}."),
        scale=_text(item, "scale", ctx, f"{where}."),
    )


def _judgment(
    raw: Any, domain: Domain, suggestions: Mapping[Domain, Any], where: str, ctx: _Ctx, near: str
) -> DomainJudgment:
    field = f"{where}.{domain.value}"
    if not isinstance(raw, dict) or "rating" not in raw:
        ctx.error(
            f"no judgment for {domain.label}",
            field,
            near=near,
            hint=f'add [outcomes.{domain.value}] (or [all_outcomes.{domain.value}]) rating = "..."',
        )
    suggestion = suggestions.get(domain)
    reason = str(raw.get("reason", ""))
    try:
        if str(raw["rating"]).strip().lower() == "accept":
            if suggestion is None:
                ctx.error(f"there is no suggestion to accept for {domain.label}", field, near=near)
            return accept(suggestion, reason or None)
        return DomainJudgment(domain, Rating.parse(str(raw["rating"])), reason, suggestion)
    except ValidationError as exc:
        if exc.path is not None:
            raise
        raise ValidationError(
            exc.message, path=ctx.path, line=ctx.line_of(near), field=field, hint=exc.hint
        ) from exc


def _assessment(
    item: Any,
    index: int,
    defaults: Mapping[str, Any],
    rob: tuple[StudyRob, ...],
    thresholds: ImprecisionThresholds,
    ctx: _Ctx,
) -> CertaintyAssessment:
    where = f"outcomes[{index}]"
    if not isinstance(item, dict) or not str(item.get("name", "")).strip():
        ctx.error("each outcome needs a name", f"{where}.name", near="[[outcomes]]")
    near = f'"{item["name"]}"'
    if "rob" in item:  # this outcome's own studies and weights (as an analysis derives them)
        rob = tuple(_rob(entry, i, ctx) for i, entry in enumerate(_list(item, "rob", ctx)))
    try:
        ev = _evidence(item, where, ctx, near)
        suggestions = suggest_all(ev, rob, thresholds)
        judgments = tuple(
            _judgment(item.get(d.value, defaults.get(d.value)), d, suggestions, where, ctx, near)
            for d in Domain
        )
        upgrades = tuple(
            UpgradeJudgment(
                UpgradeFactor(u["factor"]), int(u.get("levels", 1)), u.get("reason", "")
            )
            for u in item.get("upgrades", [])
        )
        return CertaintyAssessment(
            evidence=ev,
            judgments=judgments,
            upgrades=upgrades,
            importance=Importance.parse(str(item.get("importance", "critical"))),
            comparison=_text(item, "comparison", ctx, f"{where}."),
            comment=_text(item, "comment", ctx, f"{where}."),
            baseline_risks=tuple(
                BaselineRisk(str(b["label"]), float(b["risk"]), str(b.get("source", "")))
                for b in item.get("baseline_risks", [])
            ),
            notes=tuple(str(n) for n in item.get("notes", [])),
        )
    except ValidationError as exc:
        if exc.path is not None or ctx.path is None:
            raise
        raise ValidationError(
            exc.message,
            path=ctx.path,
            line=ctx.line_of(near),
            field=exc.field or where,
            hint=exc.hint,
        ) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(
            f"malformed outcome: {exc}",
            path=ctx.path,
            line=ctx.line_of(near),
            field=where,
            hint="see the format in evidens.grade.judgments",
        ) from exc
