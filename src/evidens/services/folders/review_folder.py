"""A review kept in a store, written out as a review folder (``evidens folder DIR --db``).

The folder is the one :mod:`evidens.services.folders.review_files` reads, so ``evidens run`` on it
rebuilds the same review: the same records (from the export files' original bytes, kept
at import), the same de-duplication (automatic, then the people's verdicts), the same
decisions, retrieval and studies. Each part of the folder is one function returning
``{relative path: bytes}``: :func:`spine_folder` up to the included studies, the later
steps (extraction, risk of bias, GRADE) beside it in :func:`review_folder`, and everything
goes to disk through :func:`write_folder` at once.

What a store holds that a folder cannot say, and what is written instead:

* only the decisions in force are written: a reopened record's withdrawn decisions live
  in the store's audit log, which is the history of the store, not part of the review;
* decisions on a record merged into another after both were screened are left out: the
  store's counts already leave them out, and the record kept carries its own decisions;
* an export imported before evidens kept the original bytes is written as RIS from its
  stored records (``NAME.ris``), which evidens reads back into the same records in the
  same order, so its ``FILE#N`` keys still hold;
* an import that no logged search carries becomes a ``[[search]]`` of its own, with the
  source, date and round of the import and no strategy;
* settings no folder key declares (a screening pilot, the web app's free protocol text)
  are left out: :mod:`evidens.services.folders.review_schema` is the one list of what a folder says;
* the PDFs of full texts stay in the store: ``fulltext/retrieval.csv`` names each file.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import tomli_w
from sqlalchemy import select

from evidens.errors import InputError
from evidens.services.assessment.extraction_files import extraction_folder
from evidens.services.assessment.risk_of_bias import rob_folder
from evidens.services.folders.label_log import label_log
from evidens.services.folders.review_folder_logs import (
    FolderKeys,
    export_files,
    pair_log,
    retrieval_log,
    screening_logs,
    searches_document,
    studies_document,
)
from evidens.services.folders.review_schema import REVIEW
from evidens.services.reporting.prisma import reported_counts
from evidens.services.store import UnitOfWork
from evidens.services.synthesis.analyses import analysis_specs
from evidens.services.synthesis.grade_profiles import profile_doc
from evidens.store.models import MemberRow, ReviewRow
from evidens.store.round_models import ReviewRoundRow

FolderFiles = dict[str, bytes]
"""A part of a review folder: file contents by their path in the folder (``/``-separated)."""


def _screening_keys() -> tuple[str, ...]:
    spec = REVIEW.key("screening")
    return tuple(k.name for k in spec.table.keys) if spec and spec.table else ()


def clean(value: Any) -> Any:
    """``value`` as TOML can hold it: None dropped from tables and lists, tuples as lists."""
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value if v is not None]
    return value


def review_document(uow: UnitOfWork) -> dict[str, Any]:
    """review.toml as a mapping, from the store: the keys ``read_review_dir`` reads, so it
    reads back to the same protocol, settings, team, reported counts, methods and rounds."""
    review = uow.session.get(ReviewRow, uow.review_id)
    if review is None:
        raise InputError("no such review in this store")
    protocol, settings = dict(review.protocol or {}), dict(review.settings or {})
    doc: dict[str, Any] = {"review": _review_table(review, protocol)}
    doc |= _protocol_tables(protocol)
    members = [
        {"name": m.name, "role": m.role, "permissions": list(m.permissions or ())}
        for m in uow.session.scalars(
            select(MemberRow).where(MemberRow.review_id == uow.review_id).order_by(MemberRow.id)
        )
    ]
    if members:
        doc["team"] = {"members": members}
    doc |= _settings_tables(uow, settings)
    rounds = _rounds(uow)
    if rounds:
        doc["round"] = rounds
    analyses = analysis_specs(uow)
    if analyses:
        doc["analysis"] = analyses
    return dict(clean(doc))


def _protocol_tables(protocol: dict[str, Any]) -> dict[str, Any]:
    """[pico], [eligibility] and [[outcomes]], each only when it says something."""
    tables: dict[str, Any] = {}
    pico = {k: v for k, v in dict(protocol.get("pico") or {}).items() if v}
    if pico:
        tables["pico"] = pico
    eligibility = {
        "include": list(protocol.get("inclusion_criteria") or ()),
        "exclude": list(protocol.get("exclusion_criteria") or ()),
    }
    if any(eligibility.values()):
        tables["eligibility"] = {k: v for k, v in eligibility.items() if v}
    outcomes = [
        {
            "name": o["name"],
            "role": o.get("role", "secondary"),
            "importance": o.get("importance", "critical"),
        }
        for o in protocol.get("outcomes") or ()
    ]
    if outcomes:
        tables["outcomes"] = outcomes
    return tables


def _settings_tables(uow: UnitOfWork, settings: dict[str, Any]) -> dict[str, Any]:
    """[screening], [dedup], [prisma] with its reported counts, and [methods]."""
    tables: dict[str, Any] = {}
    screening = {k: settings[k] for k in _screening_keys() if k in settings}
    if screening:
        tables["screening"] = screening
    if settings.get("dedup"):
        tables["dedup"] = dict(settings["dedup"])
    prisma = {k: v for k, v in dict(settings.get("prisma") or {}).items() if k != "reported"}
    reported = reported_counts(uow)
    if reported:
        prisma["reported"] = reported
    if prisma:
        tables["prisma"] = prisma
    if settings.get("methods"):
        tables["methods"] = dict(settings["methods"])
    return tables


def _review_table(review: ReviewRow, protocol: dict[str, Any]) -> dict[str, Any]:
    table: dict[str, Any] = {"slug": review.slug, "title": review.title}
    if protocol.get("question"):
        table["question"] = protocol["question"]
    if protocol.get("registration"):
        table["registration"] = protocol["registration"]
    for key in ("study_designs", "languages"):
        if protocol.get(key):
            table[key] = list(protocol[key])
    return table


def _rounds(uow: UnitOfWork) -> list[dict[str, Any]]:
    rows = uow.session.scalars(
        select(ReviewRoundRow)
        .where(ReviewRoundRow.review_id == uow.review_id)
        .order_by(ReviewRoundRow.number)
    )
    return [{"number": r.number, "label": r.label, "searched_from": r.searched_from} for r in rows]


def toml_bytes(document: Mapping[str, Any]) -> bytes:
    return tomli_w.dumps(clean(document)).encode("utf-8")


def spine_folder(uow: UnitOfWork) -> FolderFiles:
    """The folder of everything up to the included studies: review.toml, searches.toml and
    the exports, the de-duplication verdicts, both screening stages' decisions and
    resolutions (in the order they were made), screening labels, full-text retrieval and
    studies.toml."""
    exports = export_files(uow)
    keys = FolderKeys(uow, {batch: name for batch, (name, _) in exports.items()})
    files: FolderFiles = {"review.toml": toml_bytes(review_document(uow))}
    files["searches.toml"] = toml_bytes(searches_document(uow, exports))
    files.update(dict(exports.values()))
    files.update(pair_log(uow, keys))
    files.update(screening_logs(uow, keys))
    files.update(label_log(uow, keys))
    files.update(retrieval_log(uow, keys))
    studies = studies_document(uow, keys)
    if studies["study"]:
        files["studies.toml"] = toml_bytes(studies)
    return files


def review_folder(uow: UnitOfWork) -> FolderFiles:
    """The whole review as a folder: :func:`spine_folder` (with the analyses in
    review.toml), then the later steps as each keeps them: ``extraction/`` (the form, each
    extractor's workbook, consensus.toml), ``rob/`` (one file per study) and
    ``grade/judgments.toml`` (judgments and reasons only; the numbers are derived)."""
    files = spine_folder(uow)
    files.update({f"extraction/{n}": data for n, data in extraction_folder(uow).items()})
    files.update({f"rob/{n}": data for n, data in rob_folder(uow).items()})
    judgments = profile_doc(uow)
    if judgments is not None:
        files["grade/judgments.toml"] = toml_bytes(judgments)
    return files


def write_folder(files: Mapping[str, bytes], target: Path) -> list[Path]:
    """Write ``files`` into ``target``, a new or empty directory, all or nothing: they are
    written into a temporary sibling first, which is then renamed into place."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(
            "this folder is not empty",
            path=target,
            hint="name a new folder; nothing is overwritten",
        )
    for name in files:
        parts = PurePosixPath(name).parts
        if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
            raise InputError(f"{name!r} is not a path inside the folder", path=target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{secrets.token_hex(6)}.partial")
    staging.mkdir()  # the usual permissions (a temporary directory's would be owner-only)
    try:
        for name, data in sorted(files.items()):
            path = staging.joinpath(*PurePosixPath(name).parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if target.exists():
            target.rmdir()
        staging.replace(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [target.joinpath(*PurePosixPath(name).parts) for name in sorted(files)]
