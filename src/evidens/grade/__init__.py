"""GRADE certainty of evidence and the Summary of Findings table.

Per comparison x outcome: five domain judgments (and, for non-randomized evidence, three
upgrading factors), each with a written reason that becomes a lettered footnote; suggestions
computed from the data beside them; absolute effects per 1000; and the SoF table and the
evidence profile rendered as HTML, DOCX, Markdown, CSV and JSON - all pure functions.
"""

from evidens.grade.absolute import (
    AbsoluteEffect,
    corrected_ratio,
    corresponding_risk,
    from_relative,
    from_risk_difference,
    needed_to_treat,
    wald_risk_difference,
)
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
from evidens.grade.judgments import GradeFile, judgments_from_mapping, load_judgments
from evidens.grade.model import (
    CertaintyAssessment,
    Domain,
    DomainJudgment,
    Importance,
    Rating,
    Suggestion,
    UpgradeFactor,
    UpgradeJudgment,
    accept,
    override,
)
from evidens.grade.outputs import render, run_outputs
from evidens.grade.precision import (
    ImprecisionThresholds,
    OptimalInformationSize,
    ois_binary,
    ois_continuous,
    suggest_imprecision,
)
from evidens.grade.render_docx import sof_docx
from evidens.grade.render_html import profile_html, sof_html, sof_html_table
from evidens.grade.render_text import sof_csv, sof_json, sof_markdown
from evidens.grade.sof import Footnote, SofHeader, SofRow, SofTable, absolute_effects, build_sof
from evidens.grade.suggest import (
    suggest_all,
    suggest_inconsistency,
    suggest_large_effect,
    suggest_publication_bias,
    suggest_risk_of_bias,
)

__all__ = [
    "AbsoluteEffect",
    "ArmTotals",
    "BaselineRisk",
    "CertaintyAssessment",
    "Domain",
    "DomainJudgment",
    "EffectEstimate",
    "Footnote",
    "GradeFile",
    "Importance",
    "ImprecisionThresholds",
    "Measure",
    "OptimalInformationSize",
    "OutcomeEvidence",
    "Rating",
    "SofHeader",
    "SofRow",
    "SofTable",
    "StudyDesign",
    "StudyEffect",
    "StudyRob",
    "Suggestion",
    "UpgradeFactor",
    "UpgradeJudgment",
    "absolute_effects",
    "accept",
    "build_sof",
    "corrected_ratio",
    "corresponding_risk",
    "from_relative",
    "from_risk_difference",
    "judgments_from_mapping",
    "load_judgments",
    "needed_to_treat",
    "ois_binary",
    "ois_continuous",
    "override",
    "profile_html",
    "render",
    "run_outputs",
    "sof_csv",
    "sof_docx",
    "sof_html",
    "sof_html_table",
    "sof_json",
    "sof_markdown",
    "suggest_all",
    "suggest_imprecision",
    "suggest_inconsistency",
    "suggest_large_effect",
    "suggest_publication_bias",
    "suggest_risk_of_bias",
    "wald_risk_difference",
]
