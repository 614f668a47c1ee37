"""Readers and writers for database and register exports (RIS, MEDLINE, PubMed XML, WoS,
Scopus and vendor CSVs, EndNote XML, BibTeX, ClinicalTrials.gov and WHO ICTRP downloads).

Pure: bytes in, :class:`~evidens.core.Record` objects out, or a
:class:`~evidens.errors.FormatError` naming the file and line; never a partial result.
"""

from evidens.formats._base import FormatPlugin, ImportReport, ParseResult, ParseWarning
from evidens.formats.bibtex import write_bibtex
from evidens.formats.registry import check_plugin, detect_format, formats, read_records
from evidens.formats.report import import_report, report_as_dict
from evidens.formats.writers import write_csv, write_ris

__all__ = [
    "FormatPlugin",
    "ImportReport",
    "ParseResult",
    "ParseWarning",
    "check_plugin",
    "detect_format",
    "formats",
    "import_report",
    "read_records",
    "report_as_dict",
    "write_bibtex",
    "write_csv",
    "write_ris",
]
