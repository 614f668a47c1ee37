"""Data extraction: forms declared as data, dual extraction, consensus, outcome data.

Forms are TOML kept with the review; each extractor's answers are a frozen
:class:`Extraction`; :func:`discrepancies` compares two of them field by field and
:func:`build_consensus` settles them into the :class:`Consensus` that alone feeds
:func:`outcome_data` (meta-analysis input) and :func:`characteristics_rows` (the report's
table of included studies).
"""

from evidens.extraction.compare import (
    Discrepancy,
    DiscrepancyReport,
    FieldResolution,
    build_consensus,
    discrepancies,
    same,
)
from evidens.extraction.derive import (
    combine_binary,
    combine_groups,
    events_from_percentage,
    mean_from_median_iqr,
    mean_from_median_range,
    sd_from_ci,
    sd_from_iqr,
    sd_from_range,
    sd_from_se,
)
from evidens.extraction.forms import (
    FieldType,
    Form,
    FormField,
    OutcomeTable,
    Section,
    default_form,
    default_form_text,
    parse_form,
)
from evidens.extraction.model import Consensus, Decision, Derived, Extraction, OutcomeData, Value
from evidens.extraction.outputs import (
    CHARACTERISTICS_COLUMNS,
    StudyArms,
    characteristics_csv,
    characteristics_rows,
    outcome_data,
    outcomes_csv,
)
from evidens.extraction.review import (
    ReviewExtraction,
    load_review_extraction,
    parse_consensus,
    settle,
)
from evidens.extraction.validate import check_extraction, read_value
from evidens.extraction.xlsx_export import form_to_xlsx
from evidens.extraction.xlsx_import import xlsx_to_extraction

__all__ = [
    "CHARACTERISTICS_COLUMNS",
    "Consensus",
    "Decision",
    "Derived",
    "Discrepancy",
    "DiscrepancyReport",
    "Extraction",
    "FieldResolution",
    "FieldType",
    "Form",
    "FormField",
    "OutcomeData",
    "OutcomeTable",
    "ReviewExtraction",
    "Section",
    "StudyArms",
    "Value",
    "build_consensus",
    "characteristics_csv",
    "characteristics_rows",
    "check_extraction",
    "combine_binary",
    "combine_groups",
    "default_form",
    "default_form_text",
    "discrepancies",
    "events_from_percentage",
    "form_to_xlsx",
    "load_review_extraction",
    "mean_from_median_iqr",
    "mean_from_median_range",
    "outcome_data",
    "outcomes_csv",
    "parse_consensus",
    "parse_form",
    "read_value",
    "same",
    "sd_from_ci",
    "sd_from_iqr",
    "sd_from_range",
    "sd_from_se",
    "settle",
    "xlsx_to_extraction",
]
