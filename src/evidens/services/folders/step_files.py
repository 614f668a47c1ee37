"""The later steps' files of a review folder (``extraction/``, ``rob/``, ``grade/``), read
into domain objects.

A folder is one way in to a review: ``evidens run`` loads what these readers return into a
store, and every output is then computed from the store. ``evidens check`` and the
standalone ``evidens grade FILE`` use the same readers, so a folder is read one way only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidens.core.files import WORKBOOK_LIMIT, read_bounded
from evidens.extraction import load_review_extraction
from evidens.extraction.review import ReviewExtraction
from evidens.grade.judgments import MAX_BYTES, parse_judgments
from evidens.rob import Result, assess, load_assessments
from evidens.rob.model import Assessment

GRADE_FILE = Path("grade") / "judgments.toml"


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file of a step's subfolder (not recursive), by name, each read bounded."""
    if not folder.is_dir():
        return {}
    return {
        p.name: read_bounded(p, WORKBOOK_LIMIT, what="review file")
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def folder_extraction(root: Path) -> ReviewExtraction | None:
    """``extraction/`` compared and settled (None when the folder has no workbooks)."""
    raw = folder_files(root / "extraction")
    if not any(name.lower().endswith(".xlsx") for name in raw):
        return None
    return load_review_extraction(raw)


def folder_assessments(root: Path) -> list[Assessment]:
    """Every risk-of-bias assessment of ``rob/*.toml``, in file order."""
    folder = root / "rob"
    found: list[Assessment] = []
    for name, data in folder_files(folder).items():
        if name.endswith(".toml"):
            found += load_assessments(data.decode("utf-8-sig"), path=str(folder / name))
    return found


def folder_rob_results(root: Path) -> list[Result]:
    return [assess(a) for a in folder_assessments(root)]


def folder_grade(root: Path) -> tuple[dict[str, Any], str, Path] | None:
    """``grade/judgments.toml`` parsed (mapping, text, path), or None without one."""
    path = root / GRADE_FILE
    if not path.is_file():
        return None
    doc, text = parse_judgments(
        read_bounded(path, MAX_BYTES, what="judgments file"), path=str(path)
    )
    return doc, text, path
